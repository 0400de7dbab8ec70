/** Who committed a trial: recorded on its trial item (and on the head beside its inline copy). */
export interface TrialIdentity {
  /** Store instance that made the commit. */
  writer: string
  /** The session's incarnation. */
  inc: number
  /** Fencing token of the commit. */
  token: number
  /** The revision the commit created. */
  rev: number
  /** Random id of the commit (one per `commit` call). */
  cid: string
}

/** One trial record a head carries inline. */
export interface InlineTrial {
  idx: number
  /** `encodeTrial` of the record. */
  bytes: Uint8Array
  /** The commit that committed it: its trial item carries exactly this identity. */
  by: TrialIdentity
  /** True once its trial item is known to hold this record (then no later head needs to carry it). */
  confirmed: boolean
  /** A write of its trial item in flight (it sets `confirmed` when it lands). */
  writing?: Promise<void> | undefined
}
