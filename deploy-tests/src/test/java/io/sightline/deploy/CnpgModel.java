package io.sightline.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CloudNativePG 1.26's Cluster and ScheduledBackup (postgresql.cnpg.io/v1), written from the fields of
 * the operator's CRDs (API reference), because no CloudNativePG model or schema is published on Maven
 * Central — the same approach as {@link KedaModel}. Only the fields Sightline may use are modelled: an
 * unknown or misplaced field fails deserialization ({@link StrictModels#MAPPER}); enumerations and
 * formats the CRD validates are checked in {@code problems()}.
 */
final class CnpgModel {

    static final Set<String> COMPRESSION = Set.of("gzip", "bzip2", "snappy", "lz4", "xz", "zstd");

    private CnpgModel() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Cluster(String apiVersion, String kind, ObjectMeta metadata, ClusterSpec spec, Map<String, Object> status)
            implements KedaModel.Validated {
        @Override
        public List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (spec == null || spec.instances() == null || spec.instances() < 1) {
                problems.add("spec.instances must be at least 1");
                return problems;
            }
            if (spec.storage() == null || spec.storage().size() == null) {
                problems.add("spec.storage.size is required");
            }
            if (spec.imageName() != null && (!spec.imageName().contains(":") || spec.imageName().endsWith(":latest"))) {
                problems.add("imageName needs a pinned tag, was " + spec.imageName());
            }
            if (spec.primaryUpdateStrategy() != null && !Set.of("unsupervised", "supervised").contains(spec.primaryUpdateStrategy())) {
                problems.add("primaryUpdateStrategy must be unsupervised or supervised");
            }
            if (spec.backup() != null) {
                Backup b = spec.backup();
                if (b.retentionPolicy() != null && !b.retentionPolicy().matches("^[1-9][0-9]*[dwm]$")) {
                    problems.add("backup.retentionPolicy must look like 30d, 4w or 6m, was " + b.retentionPolicy());
                }
                BarmanObjectStore store = b.barmanObjectStore();
                if (store != null) {
                    if (store.destinationPath() == null || store.destinationPath().isBlank()) {
                        problems.add("barmanObjectStore.destinationPath is required");
                    }
                    if (store.s3Credentials() == null && store.azureCredentials() == null && store.googleCredentials() == null) {
                        problems.add("barmanObjectStore needs s3Credentials, azureCredentials or googleCredentials");
                    }
                    if (store.wal() != null && store.wal().compression() != null && !COMPRESSION.contains(store.wal().compression())) {
                        problems.add("wal.compression must be one of " + COMPRESSION);
                    }
                    if (store.data() != null && store.data().compression() != null && !COMPRESSION.contains(store.data().compression())) {
                        problems.add("data.compression must be one of " + COMPRESSION);
                    }
                }
            }
            return problems;
        }
    }

    record ClusterSpec(String description, Integer instances, String imageName, String imagePullPolicy,
                       String primaryUpdateStrategy, String primaryUpdateMethod, Integer startDelay, Integer stopDelay,
                       Boolean enableSuperuserAccess, LocalObjectReference superuserSecret, StorageConfiguration storage,
                       StorageConfiguration walStorage, ResourceRequirements resources, PostgresConfiguration postgresql,
                       BootstrapConfiguration bootstrap, MonitoringConfiguration monitoring, Backup backup,
                       Map<String, Object> affinity) {
    }

    record LocalObjectReference(String name) {
    }

    record StorageConfiguration(String size, String storageClass, Boolean resizeInUseVolumes, PersistentVolumeClaimSpec pvcTemplate) {
    }

    record PostgresConfiguration(Map<String, String> parameters, List<String> pg_hba, List<String> pg_ident,
                                 List<String> shared_preload_libraries) {
    }

    record BootstrapConfiguration(InitDb initdb, Map<String, Object> recovery, Map<String, Object> pg_basebackup) {
    }

    record InitDb(String database, String owner, LocalObjectReference secret, String encoding, String localeCollate,
                  String localeCType, Boolean dataChecksums, List<String> postInitSQL, List<String> postInitApplicationSQL,
                  List<String> postInitTemplateSQL) {
    }

    record MonitoringConfiguration(Boolean enablePodMonitor, Boolean disableDefaultQueries) {
    }

    record Backup(String retentionPolicy, String target, BarmanObjectStore barmanObjectStore, Map<String, Object> volumeSnapshot) {
    }

    record BarmanObjectStore(String destinationPath, String endpointURL, String serverName, SecretKeySelector endpointCA,
                             S3Credentials s3Credentials, Map<String, Object> azureCredentials,
                             Map<String, Object> googleCredentials, WalBackup wal, DataBackup data,
                             Map<String, String> tags, Map<String, String> historyTags) {
    }

    record S3Credentials(SecretKeySelector accessKeyId, SecretKeySelector secretAccessKey, SecretKeySelector region,
                         SecretKeySelector sessionToken, Boolean inheritFromIAMRole) {
    }

    record SecretKeySelector(String name, String key) {
    }

    record WalBackup(String compression, String encryption, Integer maxParallel) {
    }

    record DataBackup(String compression, String encryption, Integer jobs, Boolean immediateCheckpoint) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ScheduledBackup(String apiVersion, String kind, ObjectMeta metadata, ScheduledBackupSpec spec, Map<String, Object> status)
            implements KedaModel.Validated {
        @Override
        public List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (spec == null || spec.cluster() == null || spec.cluster().name() == null) {
                problems.add("spec.cluster.name is required");
                return problems;
            }
            // CloudNativePG's schedule has six fields, seconds first (robfig/cron)
            if (spec.schedule() == null || spec.schedule().trim().split("\\s+").length != 6) {
                problems.add("spec.schedule must have six fields (seconds first), was " + spec.schedule());
            }
            if (spec.backupOwnerReference() != null && !Set.of("none", "self", "cluster").contains(spec.backupOwnerReference())) {
                problems.add("backupOwnerReference must be none, self or cluster");
            }
            return problems;
        }
    }

    record ScheduledBackupSpec(String schedule, Boolean suspend, Boolean immediate, String backupOwnerReference,
                               LocalObjectReference cluster, String target, String method, Boolean online,
                               Map<String, Object> pluginConfiguration) {
    }
}
