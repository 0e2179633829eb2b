// `agent remediate ...`: flags in, one JSON document on stdout (the plan with --dry-run, else the result), the same
// document in the termination log, and the exit status. agent/cli.ts dispatches here.
import { parseRemediateArgs, REMEDIATE_HELP, RemediateUsageError, DEFAULT_TERMINATION_LOG } from './args';
import { remediate, type RemediateOutput } from './remediate';
import { EXIT } from '../../lib/report/remediation';
import { fitTerminationMessage, writeTerminationLog } from './terminationLog';

export interface RemediateIO {
  out(text: string): void;
  err(text: string): void;
}

const processIO: RemediateIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** What Kubernetes keeps when the full document is over 4 KiB: enough for the server to act on. */
function shortForm(o: RemediateOutput): unknown {
  switch (o.kind) {
    case 'plan': {
      const p = o.doc;
      return {
        truncated: true,
        version: p.version,
        id: p.id,
        node: p.node,
        dropIn: { path: p.dropIn.path, action: p.dropIn.action },
        reload: { run: p.reload.run },
        repairs: p.repairs.map((r) => ({ hostIfname: r.hostIfname, method: r.method, from: r.from, to: r.to })).slice(0, 40),
        repairCount: p.repairs.length,
        leaveAloneCount: p.leaveAlone.length,
        warnings: p.warnings.slice(0, 5),
      };
    }
    case 'mismatch':
      return { truncated: true, version: o.doc.version, error: o.doc.error, expectedPlanId: o.doc.expectedPlanId, planId: o.doc.plan.id };
    case 'result': {
      const r = o.doc;
      return {
        truncated: true,
        version: r.version,
        planId: r.planId,
        node: r.node,
        verified: r.verified,
        summary: r.summary.slice(0, 500),
        changedCount: r.changed.length,
        repaired: r.repaired.map((x) => ({ hostIfname: x.hostIfname, arpStatusAfter: x.arpStatusAfter })).slice(0, 40),
        errors: r.errors.slice(0, 5).map((e) => ({ ...e, message: e.message.slice(0, 300) })),
        errorCount: r.errors.length,
        ...(r.unchanged ? { unchanged: true } : {}),
      };
    }
  }
}

export async function runRemediate(argv: string[], io: RemediateIO = processIO): Promise<number> {
  let args;
  try {
    args = parseRemediateArgs(argv);
  } catch (e) {
    if (!(e instanceof RemediateUsageError)) throw e;
    io.err(`agent remediate: ${e.message}\n(see agent remediate --help)\n`);
    // A Job with bad flags should say why in its status too.
    await writeTerminationLog(DEFAULT_TERMINATION_LOG, JSON.stringify({ error: 'usage', message: e.message.slice(0, 3000) }));
    return EXIT.usage;
  }
  if (args.help) {
    io.out(REMEDIATE_HELP);
    return EXIT.ok;
  }

  let output: RemediateOutput;
  try {
    output = await remediate(args);
  } catch (e) {
    // remediate() reports failures in its result; anything thrown is a bug, but the Job must still say something.
    const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
    io.err(`agent remediate: internal error: ${message}\n`);
    if (args.terminationLog !== null) {
      await writeTerminationLog(args.terminationLog, JSON.stringify({ error: 'internal', message: String(e).slice(0, 3000) }));
    }
    return EXIT.failed;
  }
  io.out(JSON.stringify(output.doc, null, 2) + '\n');
  if (args.terminationLog !== null) {
    const note = await writeTerminationLog(args.terminationLog, fitTerminationMessage(output.doc, () => shortForm(output)));
    // Outside Kubernetes the default path is simply absent; only a path the operator chose deserves a complaint.
    if (!note.startsWith('termination log written') && args.terminationLog !== DEFAULT_TERMINATION_LOG) {
      io.err(`agent remediate: ${note}\n`);
    }
  }
  return output.exitCode;
}
