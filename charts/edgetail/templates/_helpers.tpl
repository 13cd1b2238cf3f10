{{/* Names and labels. */}}
{{- define "edgetail.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "edgetail.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "edgetail.selectorLabels" -}}
app.kubernetes.io/name: {{ include "edgetail.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: {{ .Values.mode }}
{{- end -}}

{{- define "edgetail.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "edgetail.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "edgetail.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "edgetail.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "edgetail.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "edgetail.apiTokenSecretName" -}}
{{- default (printf "%s-api-token" (include "edgetail.fullname" .)) .Values.apiToken.existingSecret -}}
{{- end -}}

{{/*
The edgetail config text: configYaml when set, else the mode's config map. Fails when the config
does not agree with the chart: data_dir must be the volume's mountPath and api.address must listen on
0.0.0.0:<apiPort> (or [::]:<apiPort>), otherwise probes and buffers would silently miss.
*/}}
{{- define "edgetail.configText" -}}
{{- $text := "" -}}
{{- if .Values.configYaml -}}
{{- $text = .Values.configYaml -}}
{{- else if eq .Values.mode "collector" -}}
{{- $text = toYaml .Values.collector.config -}}
{{- else -}}
{{- $text = toYaml .Values.agent.config -}}
{{- end -}}
{{- $cfg := fromYaml $text -}}
{{- if hasKey $cfg "Error" -}}
{{- fail (printf "configYaml is not valid YAML: %s" $cfg.Error) -}}
{{- end -}}
{{- if ne (toString (get $cfg "data_dir")) .Values.persistence.mountPath -}}
{{- fail (printf "config data_dir (%v) must be persistence.mountPath (%s): that is the volume the chart mounts" (get $cfg "data_dir") .Values.persistence.mountPath) -}}
{{- end -}}
{{- $api := default dict (get $cfg "api") -}}
{{- $addr := toString (default "127.0.0.1:8686" (get $api "address")) -}}
{{- if not (has $addr (list (printf "0.0.0.0:%v" .Values.apiPort) (printf "[::]:%v" .Values.apiPort))) -}}
{{- fail (printf "config api.address (%s) must be 0.0.0.0:%v so that the probes and the Service reach it (apiPort)" $addr .Values.apiPort) -}}
{{- end -}}
{{- $text -}}
{{- end -}}

{{/* The edgetail container's environment: Kafka, the API token, secrets from an existing Secret, extras. */}}
{{- define "edgetail.env" -}}
- name: KAFKA_BROKERS
  value: {{ .Values.kafka.brokers | quote }}
- name: KAFKA_TOPIC
  value: {{ .Values.kafka.topic | quote }}
- name: EDGETAIL_API_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "edgetail.apiTokenSecretName" . }}
      key: {{ .Values.apiToken.key }}
{{- if .Values.secrets.existingSecret }}
{{- range $name, $key := .Values.secrets.env }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $.Values.secrets.existingSecret }}
      key: {{ $key }}
      optional: true
{{- end }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
The edgetail container. Used by the collector, the DaemonSet and the example POP pod, and the shape
of the sidecar snippet in NOTES.txt. Args: dict "root" $ "resources" <map> "logMount" <bool>.
*/}}
{{- define "edgetail.container" -}}
{{- $root := .root -}}
- name: edgetail
  image: {{ include "edgetail.image" $root }}
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  args: ["run", "--config", "/etc/edgetail/edgetail.yaml"]
  ports:
    - name: api
      containerPort: {{ $root.Values.apiPort }}
      protocol: TCP
  env:
    {{- include "edgetail.env" $root | nindent 4 }}
  {{- with $root.Values.envFrom }}
  envFrom:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  livenessProbe:
    httpGet: { path: /health, port: api }
    {{- toYaml $root.Values.probes.liveness | nindent 4 }}
  readinessProbe:
    httpGet: { path: {{ if eq $root.Values.mode "agent" }}{{ $root.Values.agent.readinessPath }}{{ else }}/ready{{ end }}, port: api }
    {{- toYaml $root.Values.probes.readiness | nindent 4 }}
  resources:
    {{- toYaml .resources | nindent 4 }}
  securityContext:
    {{- toYaml $root.Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: config
      mountPath: /etc/edgetail
      readOnly: true
    - name: data
      mountPath: {{ $root.Values.persistence.mountPath }}
    - name: tmp
      mountPath: /tmp
    {{- if .logMount }}
    - name: edge-logs
      mountPath: {{ $root.Values.agent.logPath }}
      readOnly: true
    {{- end }}
{{- end -}}

{{/* Volumes every edgetail pod has: the config, /tmp and (unless given elsewhere) data_dir. */}}
{{- define "edgetail.volumes" -}}
- name: config
  configMap:
    name: {{ include "edgetail.fullname" .root }}
- name: tmp
  emptyDir: { sizeLimit: 64Mi }
{{- if .emptyData }}
- name: data
  emptyDir: { sizeLimit: {{ .root.Values.persistence.emptyDirSizeLimit }} }
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by every edgetail pod. */}}
{{- define "edgetail.podSpecCommon" -}}
serviceAccountName: {{ include "edgetail.serviceAccountName" . }}
terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Pod template metadata: labels, and a checksum so that a config change rolls the pods. */}}
{{- define "edgetail.podMetadata" -}}
metadata:
  labels:
    {{- include "edgetail.labels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include "edgetail.configText" . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}
