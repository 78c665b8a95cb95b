/**
 * Watch jobs: "tell me when ..." monitors. A job looks at the latest frame of one camera with the VLM
 * until its natural-language condition is met (then {@code notifications}), it times out, it is
 * cancelled or it fails.
 *
 * <h2>State</h2>
 * The compacted topic {@code watch.jobs} holds each job's state: key = job id, value = {@link
 * io.sightline.watch.WatchJob} JSON (the same shape the API returns), a tombstone once a
 * finished job is past {@code sightline.watch.finished-retention}. Every replica reads the whole topic
 * from the beginning ({@code WatchJobLog}, a plain consumer without group), so any replica can list,
 * show, stream and cancel any job. A finished status is final: a later {@code running} record of the
 * same job is ignored. The last {@code history-pairs} frame/answer pairs of the conversation are part of the
 * record ({@code history}: the user turn's text, frame id and capture time, the model's answer; not the images),
 * so a job resumed after a restart or on another replica continues the same conversation, its earlier frames
 * as text.
 *
 * <h2>Exactly one runner per job</h2>
 * Every replica is a member of the consumer group {@code sightline.watch.owner-group} subscribed to
 * {@code watch.jobs}. The member never consumes (its partitions are paused); the group's partition
 * assignment is the lease: a job runs on the replica that is assigned the partition its id hashes to
 * (the producer's default partitioner). The cooperative-sticky assignor moves only the partitions that
 * must move, and revokes them in a first rebalance round before a second round gives them to another
 * member; the revoke callback stops the loops of those partitions before it returns, so the next owner
 * never starts a job that still runs elsewhere. A replica that dies stops heartbeating
 * and its partitions move after the session timeout ({@code owner-session-timeout}, 10 s); a replica restarted
 * with the same static member id ({@code owner-instance-id}, from {@code sightline.replica-id}) takes them back
 * at once. A replica that stops polling loses them after
 * {@code max.poll.interval.ms}. A new owner starts a job only after it has read {@code watch.jobs} to
 * the end, so it resumes from the latest persisted state (iteration count, history, VLM calls). The time it
 * spent without a running replica (since the previous owner's last record: its last progress, or the suspend
 * record a stopping owner writes) is reported ({@code downtime_ms}, a "Resumed after ..." record) and added to
 * {@code expires_at}: a job resumes with the time it had left.
 *
 * <h2>Budgets and trust</h2>
 * Each job has {@code max_vlm_calls} (from the request, else {@code budget.calls-per-minute} per minute of its
 * duration); reaching it ends the job as {@code failed} with the reason. All jobs of a replica share
 * {@code budget.global-calls-per-hour}; a job that finds it used up waits and says so in {@code last_outcome}.
 * A "met" verdict read from an answer cut off at {@code max_tokens} or repaired from malformed JSON raises no
 * notification: the job looks again.
 *
 * <h2>Cancel from any replica</h2>
 * If the job runs here, its loop stops and writes {@code cancelled}. Otherwise this replica writes
 * {@code cancelled}; the owner sees it on the topic, stops the loop and writes the final record again,
 * so the last record of the job is the cancel even if one of the owner's progress writes raced it.
 *
 * <h2>Loop</h2>
 * Per iteration: latest frame (at most 480 px high, JPEG 85), user turn "Frame captured at HH:MM:SS."
 * with the image, WATCH-priority chat with the system prompt and the last 10 frame/answer pairs, verdict
 * read by common's parser. Waits are timers (no thread per job). Early wake: a matching detection of the
 * job's camera wakes it at once when the job has zones; without zones the first match starts a
 * cooldown ({@code detection-cooldown}) during which further matches are drained, then the job wakes once.
 * Caps: {@code max-jobs} (429) and {@code max-jobs-per-camera} (409), counted over running jobs of all
 * replicas as this replica sees them (concurrent creates on different replicas may overshoot by a few).
 */
package io.sightline.watch;
