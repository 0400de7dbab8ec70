import type { TestProject } from 'vitest/node'
import { startDynamoDbLocal } from './support/dynamodb-local.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB Local this project's tests share. */
    dynamoDbEndpoint: string
  }
}

/** Starts one in-memory DynamoDB Local for the whole project and stops it afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const local = await startDynamoDbLocal()
  project.provide('dynamoDbEndpoint', local.endpoint)
  return () => local.stop()
}
