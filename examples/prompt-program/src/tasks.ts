/**
 * The data: short questions from five skills, each with its exact answer. A question names its
 * skill before the colon ("reverse: cairn"), the way a task family shows in real prompts.
 */

/** One example: the program's input and the gold answer. */
export interface Example {
  question: string
  answer: string
}

/** The skills, and how each one is answered (the "ground truth" a model has to pick up). */
export const SKILLS = {
  reverse: (arg: string) => [...arg].reverse().join(''),
  shout: (arg: string) => arg.toUpperCase(),
  add: (arg: string) => String(arg.split(' ').reduce((sum, n) => sum + Number(n), 0)),
  sort: (arg: string) => arg.split(' ').sort().join(' '),
  vowels: (arg: string) => String([...arg].filter((c) => 'aeiou'.includes(c)).length),
} as const satisfies Record<string, (arg: string) => string>

export type Skill = keyof typeof SKILLS

/** The skill of a question ("reverse: cairn" → "reverse"), or undefined. */
export function skillOf(question: string): Skill | undefined {
  const name = question.slice(0, question.indexOf(':')).trim()
  return Object.hasOwn(SKILLS, name) ? (name as Skill) : undefined
}

/** The argument of a question ("reverse: cairn" → "cairn"). */
export function argumentOf(question: string): string {
  return question.slice(question.indexOf(':') + 1).trim()
}

const ask = (skill: Skill, arg: string): Example => ({ question: `${skill}: ${arg}`, answer: SKILLS[skill](arg) })

/** 20 training examples, four per skill, interleaved. */
export const trainset: Example[] = [
  ask('reverse', 'cairn'),
  ask('shout', 'hello'),
  ask('add', '17 25'),
  ask('sort', 'pear apple fig'),
  ask('vowels', 'optimization'),
  ask('reverse', 'stone'),
  ask('shout', 'resume'),
  ask('add', '3 4 5'),
  ask('sort', 'delta alpha charlie bravo'),
  ask('vowels', 'checkpoint'),
  ask('reverse', 'lease'),
  ask('shout', 'trial'),
  ask('add', '100 1'),
  ask('sort', 'zinc iron gold'),
  ask('vowels', 'session'),
  ask('reverse', 'fencing'),
  ask('shout', 'commit'),
  ask('add', '9 9 9'),
  ask('sort', 'c b a'),
  ask('vowels', 'queue'),
]

/**
 * 10 held-out examples, two per skill, that the search scores candidate prompts on (DSPy's
 * `valset`): a prompt is never judged on the examples it demonstrates.
 */
export const valset: Example[] = [
  ask('reverse', 'journal'),
  ask('shout', 'lease'),
  ask('add', '6 7'),
  ask('sort', 'pine fir yew'),
  ask('vowels', 'fingerprint'),
  ask('reverse', 'trial'),
  ask('shout', 'store'),
  ask('add', '20 22 2'),
  ask('sort', 'b d c a'),
  ask('vowels', 'migration'),
]

/** 10 more held-out examples, two per skill, never seen by the search: how the compiled program does on new questions. */
export const devset: Example[] = [
  ask('reverse', 'monitor'),
  ask('shout', 'worker'),
  ask('add', '40 2'),
  ask('sort', 'oak elm ash'),
  ask('vowels', 'recovery'),
  ask('reverse', 'optuna'),
  ask('shout', 'seed'),
  ask('add', '1 2 3 4'),
  ask('sort', 'mango kiwi lime'),
  ask('vowels', 'determinism'),
]
