import { describeCheckpointStore, describeWarmStartStore } from '@cairn/testkit'
import { fsStoreFixture } from './fixtures/factory.js'

describeCheckpointStore('@cairn/store-fs', fsStoreFixture)
describeWarmStartStore('@cairn/store-fs', fsStoreFixture)
