// What a remediation plan does, step by step, as the shell commands an operator would type to do it by hand:
// the drop-in with its path and content, the udev reload, each pod's repair (the plan's own argv, quoted). Shown
// in the preview so nobody approves a step they could not explain. Client-safe and pure.
import type { Plan } from '../report/remediation';
import { shellLine, shellQuote } from '../nodes/checkByHand';

export interface ShellStep {
  step: 'drop-in' | 'reload' | 'repair';
  /** What it does, in words. */
  title: string;
  /** The shell equivalent, possibly several lines (a here-document for the drop-in). */
  shell: string;
}

function heredoc(content: string): string {
  // A delimiter that cannot occur as a line of the content.
  let tag = 'EOF';
  while (content.split('\n').includes(tag)) tag += '_';
  return `<<'${tag}'\n${content}${content.endsWith('\n') ? '' : '\n'}${tag}`;
}

export function planShellSteps(plan: Pick<Plan, 'dropIn' | 'reload' | 'repairs'>): ShellStep[] {
  const steps: ShellStep[] = [];
  if (plan.dropIn.action === 'write') {
    const dir = plan.dropIn.path.slice(0, plan.dropIn.path.lastIndexOf('/')) || '/';
    steps.push({
      step: 'drop-in',
      title: `Write the drop-in ${plan.dropIn.path}`,
      shell: `mkdir -p ${shellQuote(dir)} && cat > ${shellQuote(plan.dropIn.path)} ${heredoc(plan.dropIn.content)}`,
    });
  }
  if (plan.reload.run) steps.push({ step: 'reload', title: 'Make udevd read the link files again', shell: 'udevadm control --reload' });
  for (const r of plan.repairs) {
    steps.push({
      step: 'repair',
      title: `${r.method === 'set-host-mac' ? 'Give the host veth' : "Point the pod's gateway entry at"} ${r.to}${r.pod ? ` (pod ${r.pod.namespace}/${r.pod.name})` : ''}`,
      shell: shellLine(r.command),
    });
  }
  return steps;
}
