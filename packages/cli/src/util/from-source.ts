/**
 * True when this package runs as TypeScript source (in this repository, under tsx or vitest) —
 * a TypeScript loader is active — rather than from the built `dist/`.
 */
export const FROM_SOURCE = import.meta.url.endsWith('.ts')
