'use client';
// Replaces the root layout when the layout itself fails, so it brings its own <html> and styles.
import { ErrorPanel } from '../components/ui/ErrorPanel';
import './globals.css';

export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body>
        <title>Error · vethwatch</title>
        <main className="site-main">
          <ErrorPanel title="vethwatch could not render this page" error={error} retry={retry} />
        </main>
      </body>
    </html>
  );
}
