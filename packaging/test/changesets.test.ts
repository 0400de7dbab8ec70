/**
 * The release plan changesets makes: the @cairn packages are one fixed group, so a breaking
 * change in core (a minor, in 0.x) re-releases every package at the same new minor — never a
 * major, and never a package left behind with a peer range its core no longer satisfies.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { runOk } from './helpers/run.js'
import { publicPackages, ROOT } from './helpers/workspace.js'

const dir = mkdtempSync(join(tmpdir(), 'cairn-changesets-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('after a release at 0.1.0, a core-only minor changeset re-releases every package at 0.2.0', async () => {
  // The workspace as it is after publishing 0.1.0: the same manifests and changesets config, no pending changesets.
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'))
  cpSync(join(ROOT, 'pnpm-workspace.yaml'), join(dir, 'pnpm-workspace.yaml'))
  mkdirSync(join(dir, '.changeset'))
  cpSync(join(ROOT, '.changeset', 'config.json'), join(dir, '.changeset', 'config.json'))
  for (const { dir: pkgDir, manifest } of publicPackages()) {
    mkdirSync(join(dir, relative(ROOT, pkgDir)), { recursive: true })
    writeFileSync(join(dir, relative(ROOT, pkgDir), 'package.json'), JSON.stringify({ ...manifest, version: '0.1.0' }, null, 2))
  }
  writeFileSync(join(dir, '.changeset', 'core-break.md'), '---\n"@cairn/core": minor\n---\n\nA breaking change in core.\n')
  await runOk('git', ['init', '--quiet', '--initial-branch=main'], dir)
  await runOk('git', ['add', '-A'], dir)
  await runOk('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'released 0.1.0'], dir)

  await runOk(join(ROOT, 'node_modules', '.bin', 'changeset'), ['status', '--output=plan.json'], dir)
  const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as {
    releases: Array<{ name: string; type: string; newVersion: string }>
  }
  const releases = plan.releases
    .map(({ name, type, newVersion }) => ({ name, type, newVersion }))
    .sort((a, b) => a.name.localeCompare(b.name))
  expect(releases).toEqual(
    publicPackages()
      .map(({ manifest }) => ({ name: manifest.name, type: 'minor', newVersion: '0.2.0' }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  )
})
