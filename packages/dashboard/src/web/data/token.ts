/**
 * The access token of a dashboard exposed with `--host`: given in the URL's fragment
 * (`http://host:port/#token=…`), which browsers never send to the server, so it stays out of
 * request logs. Kept for the tab's life so navigating between pages keeps it.
 */
export function accessToken(location: Location, storage: Storage | null): string | null {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token')
  try {
    if (fromHash) storage?.setItem('cairn-token', fromHash)
    return fromHash ?? storage?.getItem('cairn-token') ?? null
  } catch {
    return fromHash
  }
}
