import { inject } from 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB Local shared by the whole run (vitest.dynamodb-local.ts at the repository root). */
    dynamoDbEndpoint: string
  }
}

/** The endpoint of the DynamoDB Local the test run shares. */
export function dynamoDbEndpoint(): string {
  return inject('dynamoDbEndpoint')
}
