// Sentences from lib/history (drift messages, event summaries) mark code with `backticks` and carry ISO times, so
// they read well in CSV and the API. On a page, code becomes <code> and each time a <Timestamp> in the page's own
// format: no literal backticks, no raw ISO strings.
import { Fragment } from 'react';
import { Timestamp } from '../ui/Timestamp';

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;

function withTimes(text: string, key: string) {
  const out: React.ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(ISO)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(<Timestamp key={`${key}-${m.index}`} at={m[0]} />);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function RichText({ text }: { text: string }) {
  const parts = text.split('`');
  // An odd count of backticks leaves the last one literal rather than swallowing the rest of the sentence.
  const balanced = parts.length % 2 === 1;
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 && (balanced || i < parts.length - 1) ? (
          <code key={i}>{part}</code>
        ) : (
          <Fragment key={i}>{withTimes(part, String(i))}</Fragment>
        ),
      )}
    </>
  );
}
