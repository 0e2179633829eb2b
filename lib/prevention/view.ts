// What the "Prevent on new nodes" page shows, decided here so the page stays thin: every snippet, the recommended
// one first, chosen from the node's OS (its report, or ?os=) and node name, or as the person picked (?kind=).
// Pure and client-safe.
import { NODE_OS_LABELS, parseKind, parseOs, recommend, recommendFor, looksLikeEc2, type NodeOs, type Recommendation } from './recommend';
import { buildSnippets, type Snippet, type SnippetOptions } from './snippets';

export interface PreventView {
  /** The node the page was opened for (?node=), when it has reported. */
  node: { name: string; osPrettyName: string | null } | null;
  os: NodeOs;
  osLabel: string;
  recommendation: Recommendation;
  /** Recommended (or picked) first, then the rest in SNIPPET_KINDS order. */
  snippets: Snippet[];
  selected: Snippet['kind'];
}

export interface PreventSearch {
  node?: { name: string; osPrettyName: string | null } | null;
  os?: string | null;
  kind?: string | null;
  options?: SnippetOptions;
}

export function preventView(search: PreventSearch): PreventView {
  const node = search.node ?? null;
  const chosenOs = parseOs(search.os);
  const recommendation = chosenOs
    ? recommendFor(chosenOs, looksLikeEc2(node?.name))
    : recommend({ osPrettyName: node?.osPrettyName ?? null, nodeName: node?.name ?? null });
  const selected = parseKind(search.kind) ?? recommendation.kind;
  const all = buildSnippets(search.options);
  const snippets = [...all.filter((s) => s.kind === selected), ...all.filter((s) => s.kind !== selected)];
  return { node, os: recommendation.os, osLabel: NODE_OS_LABELS[recommendation.os], recommendation, snippets, selected };
}
