import type { NodeDetail } from '../../lib/nodes/types';
import { CNI_FACTS } from '../../lib/report/cnis';
import { policySourceOf } from '../../lib/nodes/policySource';
import { LinkDrift } from '../history/LinkDrift';
import { Icon } from '../ui/Icon';

/** Which CNI wired the node and, from its DaemonSet when the cluster runs one, whether its release is safe. */
function CniRow({ node }: { node: NodeDetail }) {
  const kind = node.cni?.kind;
  if (!kind) return null;
  const cluster = node.clusterCni ?? null;
  const version = node.cni?.version ?? cluster?.version ?? null;
  const facts = CNI_FACTS[kind];
  let verdict: string | null = null;
  if (cluster?.safe === true) verdict = `sets the MACs of the devices it creates itself${facts.safeSince ? ` (v${facts.safeSince}+)` : ''}`;
  else if (cluster?.safe === false && facts.safeSince) verdict = `older than v${facts.safeSince}, the first release that sets these MACs itself`;
  return (
    <div>
      <dt>CNI</dt>
      <dd>
        {facts.name}
        {version ? ` v${version}` : ''}
        {cluster ? (
          <span className="muted small">
            {' '}
            from DaemonSet <code>{cluster.daemonSet}</code>
            {verdict ? `: ${verdict}` : ''}
          </span>
        ) : null}
      </dd>
    </div>
  );
}

export function LinkPolicyCard({ node }: { node: NodeDetail }) {
  const verdict = node.newVeth;
  const winning = verdict?.linkFile ? node.linkFiles.find((f) => f.path === verdict.linkFile) : undefined;
  const source = verdict ? policySourceOf(verdict, node.linkFiles) : null;
  return (
    <section className="card" id="link-policy" aria-labelledby="link-policy-heading">
      <h2 id="link-policy-heading">Link policy for new veths</h2>
      {verdict === null ? (
        <p className="muted">This node has not reported a link policy yet.</p>
      ) : (
        <>
          {verdict.udevRewritesMac ? (
            <p className="policy-verdict tone-warn">
              <Icon shape="warn" />
              <span>udev will rewrite the MAC of new veths</span>
            </p>
          ) : (
            <p className="policy-verdict tone-ok">
              <Icon shape="check" />
              <span>udev leaves new veth MACs alone</span>
            </p>
          )}
          <dl className="kv">
            <div>
              <dt>Winning file</dt>
              <dd>{verdict.linkFile ? <code>{verdict.linkFile}</code> : 'none: no .link file matches a veth'}</dd>
            </div>
            <div>
              <dt>Drop-ins</dt>
              <dd>
                {verdict.dropIns.length === 0 ? (
                  'none'
                ) : (
                  <ul className="plain-list">
                    {verdict.dropIns.map((d) => (
                      <li key={d}>
                        <code>{d}</code>
                      </li>
                    ))}
                  </ul>
                )}
              </dd>
            </div>
            <div>
              <dt>Package</dt>
              <dd>
                {winning?.package ? (
                  <>
                    {winning.package.name} <code>{winning.package.version ?? 'version unknown'}</code>
                  </>
                ) : winning ? (
                  'none (local file)'
                ) : (
                  'n/a'
                )}
              </dd>
            </div>
            <div>
              <dt>Differs from package</dt>
              <dd>
                {winning?.differsFromPackage ? (
                  <span className="cell-flag tone-warn">
                    <Icon shape="warn" />
                    Yes, edited since installed
                  </span>
                ) : winning?.differsFromPackage === false ? (
                  'No'
                ) : (
                  <span className="muted">n/a</span>
                )}
              </dd>
            </div>
            <div>
              <dt>MACAddressPolicy</dt>
              <dd>{verdict.macAddressPolicy ? <code>{verdict.macAddressPolicy}</code> : 'not set'}</dd>
            </div>
            <div>
              <dt>Set by</dt>
              <dd data-testid="policy-source">
                {source === null ? (
                  verdict.linkFile ? (
                    "no file sets it: udev's default"
                  ) : (
                    'n/a'
                  )
                ) : source !== verdict.linkFile ? (
                  <>
                    <code>{source}</code> <span className="muted small">(drop-in for {verdict.linkFile})</span>
                  </>
                ) : (
                  <code>{source}</code>
                )}
              </dd>
            </div>
            {verdict.macAddress && (
              <div>
                <dt>MACAddress</dt>
                <dd>
                  <code>{verdict.macAddress}</code>
                </dd>
              </div>
            )}
            <CniRow node={node} />
            <div>
              <dt>CNI veth prefix</dt>
              <dd>
                {node.cni ? (
                  <>
                    <code>{node.cni.vethPrefix}</code>
                    <span className="muted small">
                      {' '}
                      {node.cni.configFile ? (
                        <>
                          from <code>{node.cni.configFile}</code>
                        </>
                      ) : (
                        '(default, no CNI config found)'
                      )}
                    </span>
                  </>
                ) : (
                  'unknown'
                )}
              </dd>
            </div>
          </dl>
        </>
      )}
      <LinkDrift node={node.name} winningFile={verdict?.linkFile ?? null} />
    </section>
  );
}
