// "Check by hand": the commands to paste on the node, per pod, to see what the verdict says (lib/nodes/checkByHand).
import { checkByHand, type HandCheck } from '../../lib/nodes/checkByHand';
import type { NodeDetail } from '../../lib/nodes/types';

function Check({ c }: { c: HandCheck }) {
  return (
    <li>
      <p className="small">
        <strong>{c.title}</strong>
        {!c.readOnly && <span className="cell-flag tone-warn small"> applies the link policy</span>}
      </p>
      <pre className="command" tabIndex={0} aria-label={c.title}>
        <code>{c.command}</code>
      </pre>
      <p className="muted small">{c.expect}</p>
    </li>
  );
}

export function CheckByHand({ node }: { node: Pick<NodeDetail, 'name' | 'veths' | 'newVeth' | 'linkFiles'> }) {
  const block = checkByHand(node);
  return (
    <section className="card" id="check-by-hand" aria-labelledby="check-by-hand-heading">
      <h2 id="check-by-hand-heading">Check by hand</h2>
      <p className="muted small">
        Run these as root on <code>{node.name}</code>. They only read, except where marked.
      </p>
      {block.policy.length > 0 && (
        <ul className="plain-list" aria-label="Link policy for new veths">
          {block.policy.map((c) => (
            <Check key={c.command} c={c} />
          ))}
        </ul>
      )}
      {block.veths.length === 0 ? (
        <p className="muted">No CNI veths on this node.</p>
      ) : (
        block.veths.map((v, i) => (
          <details key={v.ifname} open={i === 0 && v.arpStatus !== 'ok'}>
            <summary>
              <code>{v.ifname}</code>
              {v.pod && <> · pod {v.pod}</>} · gateway ARP {v.arpStatus}
            </summary>
            <ul className="plain-list" aria-label={`Commands for ${v.ifname}`}>
              {v.checks.map((c) => (
                <Check key={c.title} c={c} />
              ))}
            </ul>
          </details>
        ))
      )}
      {block.omitted > 0 && <p className="muted small">{block.omitted} more veths not shown; the commands are the same with their names.</p>}
    </section>
  );
}
