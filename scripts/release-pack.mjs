#!/usr/bin/env node
// `pnpm release:pack [--out <dir>]`: writes the installable tarball of every public package
// (default: .release/), at the version the pending changesets plan for it.
//
// Each package is packed with `pnpm pack` (its `files`, workspace ranges rewritten), then its
// manifest is set to the planned release: `version` from `changeset status`, and every range
// on another @cairn package to `^<that package's planned version>` — in 0.x a minor is
// breaking, so `^0.2.0` means 0.2.x. (The workspace declares those peers as `workspace:^0` so
// that changesets plans one lockstep minor for the fixed @cairn group instead of a major; the
// tarballs, not the workspace ranges, are what gets published.) Run `pnpm build` first.
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({ options: { out: { type: 'string', default: join(root, '.release') } } })
const out = resolve(values.out)
const DEP_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']

const run = async (cmd, args, cwd) => (await promisify(execFile)(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 24 })).stdout

const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .map((e) => join(root, 'packages', e.name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private)

for (const { dir, manifest } of packages) {
  if (!existsSync(join(dir, 'dist', 'index.js')))
    throw new Error(`${manifest.name} is not built (no dist/index.js): run \`pnpm build\` first`)
}

const work = mkdtempSync(join(tmpdir(), 'cairn-release-pack-'))
try {
  const planFile = join(work, 'plan.json')
  const raw = join(work, 'raw')
  // One pnpm process packs every package (its `files`, workspace: ranges rewritten) while
  // changesets computes the plan.
  await Promise.all([
    run('pnpm', ['exec', 'changeset', 'status', `--output=${planFile}`], root),
    run('pnpm', ['--recursive', '--filter', './packages/*', 'pack', '--pack-destination', raw], root),
  ])
  const planned = new Map(JSON.parse(readFileSync(planFile, 'utf8')).releases.map((r) => [r.name, r.newVersion]))
  const versionOf = (name) => planned.get(name) ?? packages.find((p) => p.manifest.name === name)?.manifest.version

  mkdirSync(out, { recursive: true })
  for (const file of readdirSync(out)) if (file.endsWith('.tgz')) rmSync(join(out, file))
  const written = await Promise.all(
    readdirSync(raw)
      .filter((f) => f.endsWith('.tgz'))
      .map(async (tarball) => {
        const staged = join(work, 'staged', tarball.replace(/\.tgz$/, ''))
        mkdirSync(staged, { recursive: true })
        await run('tar', ['-xzf', join(raw, tarball), '-C', staged], work)
        const manifestPath = join(staged, 'package', 'package.json')
        const packed = JSON.parse(readFileSync(manifestPath, 'utf8'))
        packed.version = versionOf(packed.name)
        for (const field of DEP_FIELDS) {
          for (const dep of Object.keys(packed[field] ?? {})) {
            if (dep.startsWith('@cairn/')) packed[field][dep] = `^${versionOf(dep)}`
          }
        }
        writeFileSync(manifestPath, `${JSON.stringify(packed, null, 2)}\n`)
        // The npm file name: @cairn/core@0.2.0 → cairn-core-0.2.0.tgz, a `package/` directory inside.
        const file = join(out, `${packed.name.replace(/^@/, '').replace('/', '-')}-${packed.version}.tgz`)
        await run('tar', ['-czf', file, '--owner=0', '--group=0', '--numeric-owner', '-C', staged, 'package'], work)
        return `${packed.name}@${packed.version}  ${file}`
      }),
  )
  console.log(written.sort().join('\n'))
} finally {
  rmSync(work, { recursive: true, force: true })
}
