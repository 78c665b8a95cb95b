/**
 * The VLM client every service uses to talk to an OpenAI-compatible server (llama-server, vLLM, a hosted API).
 *
 * <pre>{@code
 * // a service builds the endpoint from its own @ConfigMapping, once
 * VlmEndpoint endpoint = VlmEndpoint.of("fallback", config.baseUrl(), config.model())
 *         .withApiKey(config.apiKey())               // Optional<String>; sent as "Authorization: Bearer …", never logged
 *         .withSlots(config.maxConcurrent(), config.maxQueued())   // connections in flight / waiting for one
 *         .withTimeout(config.timeout());
 * VlmClient vlm = vlmClients.forEndpoint(endpoint);  // inject VlmClients; same name -> same client, shared slots
 *
 * vlm.chat(ChatRequest.of(List.of(ChatMessage.system(prompt),
 *                 ChatMessage.user(question, new ContentPart.Image("image/jpeg", jpegBytes))), 500, 0.7),
 *         Priority.INTERACTIVE)                       // INTERACTIVE = a person waits, WATCH, BATCH = background
 *    .onFailure(VlmException.class).recoverWithItem(...)   // e.kind(): TIMEOUT, UNAVAILABLE, OVERLOADED, REJECTED, SERVER_ERROR, BAD_RESPONSE
 * }</pre>
 *
 * <p>Every failure is a {@link io.sightline.common.vlm.VlmException}. The timeout covers queue wait and
 * generation; only connection failures (nothing sent) are retried, plus one retry after a short
 * {@code Retry-After} on 429/503. The client does not queue: the priority travels in
 * {@code X-Sightline-Priority-Class} and vlm-service, the one owner of VLM calls, schedules it. Items arrive on a Vert.x event-loop thread: switch to a worker before
 * blocking work. Metrics: {@code sightline.vlm.in.flight}, {@code sightline.vlm.rejected{reason}}, {@code sightline.vlm.requests{operation,outcome}},
 * {@code sightline.vlm.errors{kind}}, {@code sightline.vlm.circuit.open}. Model text becomes structure in
 * {@link io.sightline.common.vlm.parse.VlmResponseParser}.
 */
package io.sightline.common.vlm;
