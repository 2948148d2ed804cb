/**
 * Where the `export const NAME = landscape(` definitions of a `*.landscape.ts` are, found with a
 * regex over the text (cheap, and it works while the file does not even compile). One rule for
 * the CodeLenses, the palette and the runner's error lines. Lines are 1-based, as in editors'
 * status bars and `file:line:col` messages; VS Code positions are `line - 1`.
 */
export interface FoundDefinition {
  name: string;
  /** 1-based line of the `export const` */
  line: number;
}

const DEFINITION = /^[ \t]*export[ \t]+(?:const|let|var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*(?::[^=\n]*)?=[ \t\n]*landscape[ \t]*(?:<[^>\n]*>)?[ \t]*\(/gm;

export function findDefinitions(text: string): FoundDefinition[] {
  const out: FoundDefinition[] = [];
  const re = new RegExp(DEFINITION.source, DEFINITION.flags);
  for (let m: RegExpExecArray | null; (m = re.exec(text)); ) {
    const start = m.index + (m[0].length - m[0].trimStart().length);
    let line = 1;
    for (let i = 0; i < start; i++) if (text.charCodeAt(i) === 10) line++;
    out.push({ name: m[1], line });
  }
  return out;
}

/** name → 1-based line. */
export function definitionLines(text: string): Map<string, number> {
  return new Map(findDefinitions(text).map((d) => [d.name, d.line]));
}
