// The node page's prevention facts: protected from first boot or remediated later, the last `verify --watch`
// run, and a link to the snippets with this node's OS preselected.
import type { NodePrevention } from '../../lib/prevention/provenance';
import { Badge } from '../ui/Badge';
import { provenancePresentation, verificationPresentation } from './provenancePresentation';

export function NodePreventionSection({ name, prevention }: { name: string; prevention: NodePrevention | undefined }) {
  if (!prevention) return null;
  const v = prevention.lastVerification;
  return (
    <section className="card" id="prevention" aria-labelledby="prevention-heading">
      <h2 id="prevention-heading">Prevention</h2>
      <dl aria-label="Prevention facts">
        <dt>Provisioning</dt>
        <dd>
          <Badge presentation={provenancePresentation[prevention.provenance]} />
          {prevention.since && <> since {prevention.since}</>}
        </dd>
        <dt>Last verification</dt>
        <dd>
          {v ? (
            <>
              <Badge presentation={verificationPresentation[v.result]} /> {v.kept} of {v.probes} probe veths kept their MAC
              {v.rewritten > 0 && <>, {v.rewritten} rewritten</>}
              {!v.udevd && <> (no udevd answered)</>}, every {v.everySeconds} s, {v.startedAt} to {v.finishedAt}
            </>
          ) : (
            <>
              None yet: run <code>npm run agent -- verify --watch 24h --server URL --token-file F</code> on the node.
            </>
          )}
        </dd>
      </dl>
      <p>
        <a href={`/prevent?node=${encodeURIComponent(name)}`}>Prevent this on new nodes like this one</a>
      </p>
    </section>
  );
}
