/**
 * A ready rule set for `classify` on `user_agent` → `client_kind` (ci | cli | browser | bot |
 * library | other). Ordered, first match wins, meant for `case_insensitive: true` (the default).
 * Order matters: CI systems first (their tools often send curl/wget-like agents with a CI marker),
 * bots before browsers (crawlers announce themselves as "Mozilla/5.0 (compatible; …bot…)"), command
 * line tools before browsers (PowerShell sends a Mozilla prefix), libraries before browsers.
 * docs/transforms.md shows the same list as YAML.
 */
export interface ClassifyRule {
  pattern: string;
  value: string;
}

export const USER_AGENT_RULES: readonly ClassifyRule[] = Object.freeze([
  { pattern: 'github-actions|githubactions|^actions/|gitlab|jenkins|buildkite|circleci|travis|teamcity|azure-pipelines|azure pipelines|bitbucket-pipelines|drone-ci|tekton|argo-workflows', value: 'ci' },
  { pattern: 'bot\\b|crawler|spider|slurp|facebookexternalhit|bingpreview|headlesschrome', value: 'bot' },
  { pattern: '^(curl|wget|kubectl|kubeadm|kubelet|helm|kind|minikube|k3s|httpie|aria2|powershell|homebrew|apt-http|debian apt|winget|chocolatey|scoop|aws-cli)\\b|windowspowershell|gcloud/|gsutil/|^docker/|^containerd/', value: 'cli' },
  { pattern: 'go-http-client|python-requests|python-urllib|python-httpx|aiohttp|okhttp|^java/|apache-httpclient|aws-sdk|boto3|botocore|google-api|axios|node-fetch|undici|got \\(|libwww-perl|ruby|faraday|reqwest|hyper/|dart:io|dart/|cfnetwork|nsurlsession', value: 'library' },
  { pattern: '^mozilla/.*(chrome|chromium|safari|firefox|edg/|edge/|opr/|trident|gecko)', value: 'browser' },
]);
