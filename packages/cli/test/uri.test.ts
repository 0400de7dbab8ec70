import { describe, expect, test } from 'vitest'
import { parseStoreUri, StoreUriError } from '@cairn/cli'
import { formatStoreSpec } from '../src/store/uri.js'

describe('parseStoreUri', () => {
  test('memory:, fs:, level: (relative to the base directory) and dynamodb://', () => {
    expect(parseStoreUri('memory:')).toEqual({ kind: 'memory' })
    expect(parseStoreUri('fs:./runs', '/srv/app')).toEqual({ kind: 'fs', dir: '/srv/app/runs' })
    expect(parseStoreUri('fs:/var/cairn', '/srv/app')).toEqual({ kind: 'fs', dir: '/var/cairn' })
    expect(parseStoreUri('fs:///var/cairn', '/srv/app')).toEqual({ kind: 'fs', dir: '/var/cairn' })
    expect(parseStoreUri('level:./.cairn', '/srv/app')).toEqual({ kind: 'level', location: '/srv/app/.cairn' })
    expect(parseStoreUri('dynamodb://cairn-sessions')).toEqual({ kind: 'dynamodb', tableName: 'cairn-sessions' })
    expect(parseStoreUri('dynamodb://Cairn_Sessions?region=eu-west-1&endpoint=http://localhost:8000')).toEqual({
      kind: 'dynamodb',
      tableName: 'Cairn_Sessions',
      region: 'eu-west-1',
      endpoint: 'http://localhost:8000',
    })
  })

  test('formats back to an absolute URI', () => {
    expect(formatStoreSpec(parseStoreUri('level:.cairn', '/a'))).toBe('level:/a/.cairn')
    expect(formatStoreSpec(parseStoreUri('dynamodb://tbl?region=us-east-1'))).toBe('dynamodb://tbl?region=us-east-1')
  })

  test.each([
    ['postgres://db/cairn', /unknown scheme "postgres:"/],
    ['./runs', /has no scheme.*`fs:\.\/runs`/],
    ['', /is not a store URI/],
    ['fs:', /needs a directory/],
    ['level://', /needs a directory/],
    ['memory:/x', /takes no path/],
    ['dynamodb:tbl', /must look like `dynamodb:\/\/<table>/],
    ['dynamodb://ab', /not a DynamoDB table name/],
    ['dynamodb://tbl?regoin=x', /unknown parameter "regoin"/],
    ['dynamodb://tbl?endpoint=nope', /endpoint that is not a URL/],
    ['dynamodb://tbl/extra', /has a path after the table name/],
  ])('%j is refused with a message that says what to write', (uri, message) => {
    let err: unknown
    try {
      parseStoreUri(uri, '/base')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(StoreUriError)
    expect((err as StoreUriError).code).toBe('INVALID_INPUT')
    expect((err as Error).message).toMatch(/^\[cairn\] store: /)
    expect((err as Error).message).toMatch(message)
  })
})
