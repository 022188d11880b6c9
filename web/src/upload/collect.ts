/** A file to upload and its path relative to the drop target ("a/b.txt"). */
export interface Picked {
  file: File;
  rel: string;
}

/** Files from an <input type=file> (with webkitRelativePath for folder pickers). */
export function fromInput(list: FileList | null): Picked[] {
  return Array.from(list ?? []).map((file) => ({ file, rel: file.webkitRelativePath || file.name }));
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, out: Picked[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, rel: prefix + entry.name });
    return;
  }
  if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns at most ~100 entries a call; read until empty.
    for (;;) {
      const batch = await readEntries(reader);
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`, out);
    }
  }
}

/** Files and whole folders from a drop. */
export async function fromDrop(dt: DataTransfer): Promise<Picked[]> {
  const entries = Array.from(dt.items)
    .map((i) => (i.kind === 'file' ? i.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return fromInput(dt.files);
  const out: Picked[] = [];
  for (const e of entries) await walk(e, '', out);
  return out;
}
