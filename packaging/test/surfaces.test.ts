/**
 * The doors every package opens: exports maps of one shape (types first, an ESM entry, a
 * `require` that refuses CommonJS clearly, `typesVersions` for node10 resolution), and no two
 * packages exporting the same name for different things.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import ts from 'typescript'
import { expect, test } from 'vitest'
import { publicPackages } from './helpers/workspace.js'

test('every export is { types, @cairn/source, import, require: ./dist/esm-only.cjs }; subpaths have typesVersions; no side effects', () => {
  for (const { manifest } of publicPackages()) {
    const { name } = manifest
    expect({ name, sideEffects: manifest['sideEffects'], types: manifest['types'] }).toEqual({
      name,
      sideEffects: false,
      types: './dist/index.d.ts',
    })
    expect({ name, license: manifest['license'], files: (manifest['files'] as string[]).includes('LICENSE') }).toEqual({
      name,
      license: 'MIT',
      files: true,
    })
    const subpaths: Record<string, string[]> = {}
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (subpath === './package.json') continue
      const file = subpath === '.' ? 'index' : subpath.slice(2)
      expect({ name, subpath, target }).toEqual({
        name,
        subpath,
        target: {
          types: `./dist/${file}.d.ts`,
          '@cairn/source': `./src/${file}.ts`,
          import: `./dist/${file}.js`,
          require: './dist/esm-only.cjs',
        },
      })
      if (subpath !== '.') subpaths[file] = [`./dist/${file}.d.ts`]
    }
    const expected = Object.keys(subpaths).length > 0 ? { '*': subpaths } : undefined
    expect({ name, typesVersions: manifest['typesVersions'] }).toEqual({ name, typesVersions: expected })
  }
})

/** The names a module exports, following `export … from` and `export *` into the package's sources. */
function exportedNames(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return []
  seen.add(file)
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
  const names: string[] = []
  const local = (specifier: string) => join(dirname(file), specifier.replace(/\.js$/, '.ts'))
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined
      if (statement.exportClause && ts.isNamedExports(statement.exportClause))
        names.push(...statement.exportClause.elements.map((e) => e.name.text))
      else if (from?.startsWith('.')) names.push(...exportedNames(local(from), seen))
    } else if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      const named = statement as ts.Node & { name?: ts.Identifier }
      if (named.name) names.push(named.name.text)
    }
  }
  return names
}

// `/testing` doors are exempt: each store's package offers the same hooks for its own store
// (`corruptHead(store, sessionId, bytes)` …), one signature everywhere, by design.
test('no two packages (or subpaths) export the same name', () => {
  const owners = new Map<string, string[]>()
  for (const { dir, manifest } of publicPackages()) {
    for (const subpath of Object.keys(manifest.exports).filter((s) => s !== './package.json' && s !== './testing')) {
      const door = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`
      const file = join(dir, 'src', `${subpath === '.' ? 'index' : subpath.slice(2)}.ts`)
      for (const name of exportedNames(file)) owners.set(name, [...(owners.get(name) ?? []), door])
    }
  }
  expect(owners.size).toBeGreaterThan(100)
  const shared = [...owners].filter(([, doors]) => doors.length > 1).map(([name, doors]) => `${name}: ${doors.join(', ')}`)
  expect(shared).toEqual([])
})
