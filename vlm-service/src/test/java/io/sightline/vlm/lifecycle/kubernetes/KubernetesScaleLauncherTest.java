package io.sightline.vlm.lifecycle.kubernetes;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import io.fabric8.mockwebserver.http.RecordedRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The kubernetes launcher against fabric8's Kubernetes API mock server in CRUD mode: it scales the
 * llama-server Deployment through the scale subresource and only the Lease holder acts.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesScaleLauncherTest {

    private static final String NAMESPACE = "sightline";
    private static final String DEPLOYMENT = "llama-server";

    private KubernetesMockServer server;
    private final List<KubernetesClient> clients = new ArrayList<>();
    private final List<KubernetesScaleLauncher> launchers = new ArrayList<>();
    private final ExecutorService blocking = Executors.newCachedThreadPool();
    private KubernetesClient admin;

    @BeforeEach
    void createLlamaServerDeployment() {
        admin = newClient();
        admin.apps().deployments().inNamespace(NAMESPACE).resource(llamaServerDeployment()).create();
    }

    @AfterEach
    void closeLaunchers() {
        launchers.forEach(KubernetesScaleLauncher::close);
        clients.forEach(KubernetesClient::close);
        blocking.shutdownNow();
    }

    @Test
    void startScalesTheDeploymentToOneReplica() {
        KubernetesScaleLauncher launcher = launcher("vlm-service-a");
        await().atMost(Duration.ofSeconds(10)).until(launcher::mayAct);
        assertThat(launcher.running()).isFalse();

        launcher.start().subscribe().withSubscriber(UniAssertSubscriber.create())
                .awaitItem(Duration.ofSeconds(10));

        assertThat(specReplicas()).isEqualTo(1);
        assertThat(launcher.running()).isTrue();
    }

    @Test
    void stopScalesToZeroAndCompletesOnlyOnceNoPodIsLeft() {
        KubernetesScaleLauncher launcher = launcher("vlm-service-a");
        await().atMost(Duration.ofSeconds(10)).until(launcher::mayAct);
        launcher.start().await().atMost(Duration.ofSeconds(10));
        reportPods(1);

        CompletableFuture<Void> stopping = launcher.stop().subscribeAsCompletionStage();

        await().atMost(Duration.ofSeconds(10)).until(() -> specReplicas() == 0);
        // the Deployment still reports its pod (terminating): the stop must not have completed yet
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2))
                .until(() -> !stopping.isDone());
        assertThat(launcher.running()).isFalse();

        reportPods(0);
        await().atMost(Duration.ofSeconds(10)).until(stopping::isDone);
        assertThat(stopping).isCompleted();
    }

    @Test
    void stopFailsClearlyWhenPodsNeverGo() {
        KubernetesScaleLauncher launcher = launcher("vlm-service-a", Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(launcher::mayAct);
        launcher.start().await().atMost(Duration.ofSeconds(10));
        reportPods(1);

        Throwable failure = launcher.stop().subscribe().withSubscriber(UniAssertSubscriber.create())
                .awaitFailure(Duration.ofSeconds(10)).getFailure();

        assertThat(failure).hasMessageContaining("still has 1 pod(s)");
        assertThat(specReplicas()).isZero();
    }

    @Test
    void onlyTheLeaseHolderOfTwoReplicasMayScale() {
        KubernetesScaleLauncher first = launcher("vlm-service-a");
        KubernetesScaleLauncher second = launcher("vlm-service-b");
        first.mayAct();
        second.mayAct();

        await().atMost(Duration.ofSeconds(10)).until(() -> first.mayAct() || second.mayAct());
        KubernetesScaleLauncher holder = first.mayAct() ? first : second;
        KubernetesScaleLauncher other = holder == first ? second : first;
        // the other replica stays a follower across several retry periods
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> holder.mayAct() && !other.mayAct());
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(holder.identity());

        assertThatThrownBy(() -> other.start().await().atMost(Duration.ofSeconds(5)))
                .hasMessageContaining("does not hold Lease");
        assertThat(specReplicas()).isZero();

        holder.start().await().atMost(Duration.ofSeconds(5));
        assertThat(specReplicas()).isEqualTo(1);
    }

    @Test
    void anotherReplicaTakesOverWhenTheHolderGoesAway() {
        KubernetesScaleLauncher first = launcher("vlm-service-a");
        await().atMost(Duration.ofSeconds(10)).until(first::mayAct);
        KubernetesScaleLauncher second = launcher("vlm-service-b");
        second.mayAct();

        first.close();

        await().atMost(Duration.ofSeconds(15)).until(second::mayAct);
        assertThat(first.mayAct()).isFalse();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("vlm-service-b");
    }

    @Test
    void usesOnlyWhatTheRoleGrantsGetAndPatchOnTheScaleSubresourcePlusTheLease() throws InterruptedException {
        KubernetesScaleLauncher launcher = launcher("vlm-service-a");
        await().atMost(Duration.ofSeconds(10)).until(launcher::mayAct);
        int before = server.getRequestCount();
        for (int i = 0; i < before; i++) {
            server.takeRequest();
        }

        launcher.start().await().atMost(Duration.ofSeconds(10));
        launcher.stop().await().atMost(Duration.ofSeconds(10));
        assertThat(launcher.running()).isFalse();

        List<String> deploymentCalls = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
            if (request.getPath().contains("/leases")) {
                assertThat(request.getPath()).contains("/namespaces/sightline/leases");
                continue;
            }
            deploymentCalls.add(request.getMethod() + " " + request.getPath());
        }
        assertThat(deploymentCalls)
                .contains("PATCH /apis/apps/v1/namespaces/sightline/deployments/llama-server/scale")
                .allMatch(call -> call.matches("(GET|PATCH) /apis/apps/v1/namespaces/sightline/deployments/llama-server/scale"));
    }

    private KubernetesScaleLauncher launcher(String identity) {
        return launcher(identity, Duration.ofSeconds(10));
    }

    private KubernetesScaleLauncher launcher(String identity, Duration stopTimeout) {
        var settings = new KubernetesScaleLauncher.Settings(NAMESPACE, DEPLOYMENT, "vlm-model-launcher", identity,
                Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(200), stopTimeout, Duration.ofMillis(100));
        KubernetesScaleLauncher launcher = new KubernetesScaleLauncher(newClient(), settings, blocking);
        launchers.add(launcher);
        return launcher;
    }

    private KubernetesClient newClient() {
        KubernetesClient client = server.createClient();
        clients.add(client);
        return client;
    }

    private int specReplicas() {
        return admin.apps().deployments().inNamespace(NAMESPACE).withName(DEPLOYMENT).get().getSpec().getReplicas();
    }

    /** Plays the Deployment controller: reports how many (non-terminated) pods exist. */
    private void reportPods(int pods) {
        Deployment current = admin.apps().deployments().inNamespace(NAMESPACE).withName(DEPLOYMENT).get();
        current.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
                .withReplicas(pods).withReadyReplicas(pods).withAvailableReplicas(pods).build());
        admin.apps().deployments().inNamespace(NAMESPACE).resource(current).updateStatus();
    }

    private Lease lease() {
        return admin.leases().inNamespace(NAMESPACE).withName("vlm-model-launcher").get();
    }

    private static Deployment llamaServerDeployment() {
        return new DeploymentBuilder()
                .withNewMetadata().withName(DEPLOYMENT).withNamespace(NAMESPACE).endMetadata()
                .withNewSpec()
                .withReplicas(0)
                .withNewSelector().addToMatchLabels("app.kubernetes.io/name", DEPLOYMENT).endSelector()
                .withNewTemplate()
                .withNewMetadata().addToLabels("app.kubernetes.io/name", DEPLOYMENT).endMetadata()
                .withNewSpec().addNewContainer().withName("llama-server")
                .withImage("ghcr.io/ggml-org/llama.cpp:server-cuda-b6000").endContainer().endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}
