import { Fingerprinter, hashTrainsetSync } from '../src/index.js'
import { refFingerprint, refTrainset } from './reference.js'

const QA = [
  { q: 'What is 2 + 2?', a: '4' },
  { a: 'Paris', q: 'Capital of France?' },
]

/**
 * The published test vectors (README, "Test vectors"). Each builds a fingerprint; `hex` is
 * pinned. A change here is a change of encoding: bump FINGERPRINT_ENCODING_VERSION.
 */
export const VECTORS: { name: string; ref: () => string; code: string; build: () => string; hex: string }[] = [
  {
    name: 'nothing absorbed',
    ref: () => refFingerprint([]),
    code: `new Fingerprinter().finalize()`,
    build: () => new Fingerprinter().finalize(),
    hex: '42f1a8f4f1957094585e83c2a64def8039847d68eaa787328a7f43e54b82791e',
  },
  {
    name: 'a string',
    ref: () => refFingerprint([{ kind: 'string', tag: 'name', value: 'cairn' }]),
    code: `.absorbString('name', 'cairn')`,
    build: () => new Fingerprinter().absorbString('name', 'cairn').finalize(),
    hex: 'fe3232690c2ee0bf183cce9d25b7a02957c014e71f1268c7763ba101e939862c',
  },
  {
    name: 'the string "1"',
    ref: () => refFingerprint([{ kind: 'string', tag: 'x', value: '1' }]),
    code: `.absorbString('x', '1')`,
    build: () => new Fingerprinter().absorbString('x', '1').finalize(),
    hex: 'e78c09138319e92f4e0598aabd03ab1f2565987dff704929e9bf111abca8d5a3',
  },
  {
    name: 'the number 1',
    ref: () => refFingerprint([{ kind: 'number', tag: 'x', value: 1 }]),
    code: `.absorbNumber('x', 1)`,
    build: () => new Fingerprinter().absorbNumber('x', 1).finalize(),
    hex: '50c45970b7be8cd96072827d5a12b199a22d11d227713d30975d4d148060f90b',
  },
  {
    name: 'the number -0 (= +0)',
    ref: () => refFingerprint([{ kind: 'number', tag: 'x', value: 0 }]),
    code: `.absorbNumber('x', -0)`,
    build: () => new Fingerprinter().absorbNumber('x', -0).finalize(),
    hex: 'd82a113fcd4f892c3432cd77ac187e56e4e82e6773c630c672bf5f7997aa47b6',
  },
  {
    name: 'the number 0.1',
    ref: () => refFingerprint([{ kind: 'number', tag: 'x', value: 0.1 }]),
    code: `.absorbNumber('x', 0.1)`,
    build: () => new Fingerprinter().absorbNumber('x', 0.1).finalize(),
    hex: '1427d6ad66b8e8c69f407ec613db39208fd33a174e52e7a33a831428a2b06be0',
  },
  {
    name: 'the bigint 1n',
    ref: () => refFingerprint([{ kind: 'bigint', tag: 'x', value: 1n }]),
    code: `.absorbBigInt('x', 1n)`,
    build: () => new Fingerprinter().absorbBigInt('x', 1n).finalize(),
    hex: '0ad36ed1d5bc108c5312ba6a27475d8f21e60eaf12d605fadf277c873eee2f24',
  },
  {
    name: 'the bigint -(2^64)',
    ref: () => refFingerprint([{ kind: 'bigint', tag: 'x', value: -(2n ** 64n) }]),
    code: `.absorbBigInt('x', -(2n ** 64n))`,
    build: () => new Fingerprinter().absorbBigInt('x', -(2n ** 64n)).finalize(),
    hex: 'ca2e3b31586d1b7e7ffbd81b4ce03c894825a09fa9ac4485734623290fd4547c',
  },
  {
    name: 'bytes 00 01 fe ff',
    ref: () => refFingerprint([{ kind: 'bytes', tag: 'x', value: Uint8Array.of(0, 1, 254, 255) }]),
    code: `.absorbBytes('x', Uint8Array.of(0, 1, 254, 255))`,
    build: () => new Fingerprinter().absorbBytes('x', Uint8Array.of(0, 1, 254, 255)).finalize(),
    hex: '1ab6342a6e67b2e893ed5f6cf33f3561b9230cd26ff529fa3d9a3c7fd9ab0b0e',
  },
  {
    name: 'JSON ["ab","c"]',
    ref: () => refFingerprint([{ kind: 'json', tag: 'x', value: ['ab', 'c'] }]),
    code: `.absorbJson('x', ['ab', 'c'])`,
    build: () => new Fingerprinter().absorbJson('x', ['ab', 'c']).finalize(),
    hex: '80a6d6dbaa239eedf3884169a6b946d15ceac592dc52afb5d0b93f6eb8589054',
  },
  {
    name: 'JSON ["a","bc"]',
    ref: () => refFingerprint([{ kind: 'json', tag: 'x', value: ['a', 'bc'] }]),
    code: `.absorbJson('x', ['a', 'bc'])`,
    build: () => new Fingerprinter().absorbJson('x', ['a', 'bc']).finalize(),
    hex: '65aede0b313a0be7025ede39174f01714249572e65c769c70da9b6273d32e8ca',
  },
  {
    name: 'JSON object (any key order)',
    ref: () => refFingerprint([{ kind: 'json', tag: 'x', value: { a: { c: 0, é: 1.5 }, b: [1, 'two', null, true] } }]),
    code: `.absorbJson('x', { b: [1, 'two', null, true], a: { é: 1.5, c: -0 } })`,
    build: () => new Fingerprinter().absorbJson('x', { b: [1, 'two', null, true], a: { é: 1.5, c: -0 } }).finalize(),
    hex: '0ad1b8ce97e364eb4d4ba146b678426bb40de86ae4dad4b603afc1d3e89c7220',
  },
  {
    name: 'several fields, empty tag',
    ref: () =>
      refFingerprint([
        { kind: 'string', tag: '', value: '' },
        { kind: 'number', tag: 'k', value: 5 },
        { kind: 'json', tag: 'space', value: { lr: [0.001, 0.1] } },
      ]),
    code: `.absorbString('', '').absorbNumber('k', 5).absorbJson('space', { lr: [0.001, 0.1] })`,
    build: () =>
      new Fingerprinter()
        .absorbString('', '')
        .absorbNumber('k', 5)
        .absorbJson('space', { lr: [0.001, 0.1] })
        .finalize(),
    hex: '80b4a7b102ecde7102aeec4982e2ddc26305ca72926e192f965638a9f236706a',
  },
  {
    name: 'trainset, ordered',
    ref: () => refTrainset(QA),
    code: `hashTrainsetSync([{ q: 'What is 2 + 2?', a: '4' }, { a: 'Paris', q: 'Capital of France?' }])`,
    build: () => hashTrainsetSync(QA),
    hex: 'ad3a694592940e3cc9ebf0e7e84882ec7763d488b8da427637a188b27aae9b1f',
  },
  {
    name: 'trainset, unordered',
    ref: () => refTrainset(QA, false),
    code: `hashTrainsetSync(<the same two examples>, { ordered: false })`,
    build: () => hashTrainsetSync(QA, { ordered: false }),
    hex: 'c82d075f0af7c7aa210f30134dff13328acb26d1e929663eaac44c1e6e07f10f',
  },
  {
    name: 'empty trainset',
    ref: () => refTrainset([]),
    code: `hashTrainsetSync([])`,
    build: () => hashTrainsetSync([]),
    hex: '7f4c8655e46938cdc8f0ce3f851f1b7e0f8e409fadfdf5ebab8e65b04fc6ea1e',
  },
]
