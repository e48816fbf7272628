/**
 * Groups record sources into collections for the per-source breakdown. Real datasets often cite one
 * file per record (a tweet's JSON, a token's metadata, an article inside a day's archive): a row per
 * file says nothing to a reader and made EVALUATION.md 20,000 lines long. A folder of many files is
 * one collection; a file holding many records stays its own row.
 */
const MANY_FILES = 20;

/** The file a source names: without `#fragment`, and an archive's member as the archive. */
function fileOf(source: string): string {
  const noFragment = source.replace(/#.*$/, '');
  const archive = /^(.*?\.(?:zip|tar|tgz|tar\.gz|gz))\//.exec(noFragment);
  return archive ? archive[1] : noFragment;
}

function folderOf(file: string): string | undefined {
  const slash = file.lastIndexOf('/');
  return slash > file.lastIndexOf(':') ? file.slice(0, slash) : undefined;
}

/** Source → the collection it is reported under. */
export function sourceCollections(sources: Iterable<string>): Map<string, string> {
  const placeBySource = new Map<string, { file: string; folder: string | undefined }>();
  const filesByFolder = new Map<string, Set<string>>();
  for (const s of sources) {
    if (placeBySource.has(s)) continue;
    const file = fileOf(s);
    const folder = folderOf(file);
    placeBySource.set(s, { file, folder });
    if (folder !== undefined) {
      const files = filesByFolder.get(folder) ?? new Set<string>();
      files.add(file);
      filesByFolder.set(folder, files);
    }
  }
  const out = new Map<string, string>();
  for (const [s, { file, folder }] of placeBySource) {
    out.set(s, folder !== undefined && (filesByFolder.get(folder)?.size ?? 0) > MANY_FILES ? `${folder}/*` : file);
  }
  return out;
}
