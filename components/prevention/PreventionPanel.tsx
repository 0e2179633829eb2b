// "Prevent on new nodes": every bootstrap snippet with a copy button, the recommended one first and open. The
// choice is made in lib/prevention/view.ts; the OS picker is a plain GET form, so a choice is a shareable link.
import type { PreventView } from '../../lib/prevention/view';
import { NODE_OSES, NODE_OS_LABELS } from '../../lib/prevention/recommend';
import { CopyButton } from './CopyButton';

export function PreventionPanel({ view }: { view: PreventView }) {
  return (
    <section className="card" aria-labelledby="prevent-heading">
      <h2 id="prevent-heading">Prevent on new nodes</h2>
      <p>
        Each snippet installs the drop-in vethwatch&apos;s remediation writes (<code>MACAddressPolicy=none</code> for{' '}
        <code>99-default.link</code>) before the node runs pods, then reloads udev. None replays udev events.
      </p>
      <form method="get" action="/prevent" className="inline-form">
        {view.node && <input type="hidden" name="node" value={view.node.name} />}
        <label>
          Node OS{' '}
          <select name="os" defaultValue={view.os}>
            {NODE_OSES.map((os) => (
              <option key={os} value={os}>
                {NODE_OS_LABELS[os]}
              </option>
            ))}
          </select>
        </label>{' '}
        <button type="submit">Show</button>
      </form>
      <p>
        {view.node ? (
          <>
            For node <strong>{view.node.name}</strong> ({view.node.osPrettyName ?? 'OS unknown'}):{' '}
          </>
        ) : (
          <>For {view.osLabel}: </>
        )}
        recommended <strong>{view.snippets[0].title}</strong>, because {view.recommendation.why}.
      </p>
      {view.snippets.map((s) => {
        const recommended = s.kind === view.selected;
        return (
          <details key={s.kind} open={recommended} aria-label={s.title} data-kind={s.kind}>
            <summary>
              {s.title}
              {recommended && <span className="badge tone-ok"> Recommended</span>}
            </summary>
            <p>
              {s.where}. Save as <code>{s.filename}</code>.
            </p>
            <CopyButton text={s.text} label={s.title} />
            <pre tabIndex={0} aria-label={`${s.title} snippet`}>
              <code>{s.text}</code>
            </pre>
          </details>
        );
      })}
    </section>
  );
}
