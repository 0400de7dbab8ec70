// Issue 14's crash test on the fs store: a trial SIGKILLed after its 7th checkpoint continues
// from that checkpoint in the next process.
import { describeTrialResume } from '@cairn/testkit'
import { fsStoreFixture } from './fixtures/factory.js'

describeTrialResume('@cairn/store-fs', fsStoreFixture)
