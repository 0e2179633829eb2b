// The two patch flavours the API server applies to nodes/status: RFC 7386 JSON merge patch, and strategic merge
// patch, which merges lists element by element on their patchMergeKey instead of replacing them. Only the merge
// keys a Node's status declares are known here (conditions and addresses by `type`); every other list replaces.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json | undefined };

function isObject(v: unknown): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function jsonMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}

/** patchMergeKey by JSON path (dot-joined field names, list items not counted). */
export const NODE_MERGE_KEYS: Record<string, string> = {
  'status.conditions': 'type',
  'status.addresses': 'type',
};

export function strategicMergePatch(target: Json | undefined, patch: Json, mergeKeys: Record<string, string>, at = ''): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    const path = at ? `${at}.${k}` : k;
    if (v === null) {
      delete out[k];
      continue;
    }
    const key = mergeKeys[path];
    if (key && Array.isArray(v)) {
      const existing = Array.isArray(out[k]) ? [...(out[k] as Json[])] : [];
      for (const item of v) {
        if (!isObject(item) || typeof item[key] !== 'string') {
          existing.push(item);
          continue;
        }
        const i = existing.findIndex((e) => isObject(e) && e[key] === item[key]);
        if (i >= 0) existing[i] = strategicMergePatch(existing[i], item, mergeKeys, path);
        else existing.push(item);
      }
      out[k] = existing;
    } else {
      out[k] = strategicMergePatch(out[k], v, mergeKeys, path);
    }
  }
  return out;
}
