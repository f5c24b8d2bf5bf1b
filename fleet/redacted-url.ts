// A connection URL fit for messages and logs: the password replaced, the rest kept so the reader
// can see which server and database were meant.
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}
