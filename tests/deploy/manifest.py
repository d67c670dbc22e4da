#!/usr/bin/python3
# wsaudio - deploy tests: checks the Kubernetes manifests and writes the
# variant of the Pod that `podman kube play` runs on this machine.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
#   manifest.py check KUBERNETES_DIR
#       the Deployment's pod template is the Pod's spec, the Service and
#       the NetworkPolicy select the Pod and name ports 29788 and 29789,
#       the Secret example has the keys the Pod uses; the security
#       settings (non-root, no capabilities, read-only root) are there
#   manifest.py variant POD_YAML OUT NAME IMAGE SECRET SPK MIC HTTP PTCP
#       the Pod, changed only where this machine needs it: host network
#       (loopback, so no containerPorts to publish), bound to 127.0.0.1 on
#       free ports, pod/volume/secret names of this test run, the test
#       image
import sys

import yaml


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def fail(message):
    sys.exit(f"manifest.py: FAIL: {message}")


def check(kdir):
    (pod,) = load(f"{kdir}/pod.yaml")
    (deployment,) = load(f"{kdir}/deployment.yaml")
    (service,) = load(f"{kdir}/service.yaml")
    (policy,) = load(f"{kdir}/networkpolicy.yaml")
    (secret,) = load(f"{kdir}/secret.example.yaml")
    assert pod["kind"] == "Pod" and deployment["kind"] == "Deployment"
    template = deployment["spec"]["template"]
    if template["spec"] != pod["spec"]:
        fail("deployment.yaml: the pod template's spec differs from pod.yaml")
    labels = template["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    for name, what in ((selector, "Deployment selector"),
                       (service["spec"]["selector"], "Service selector"),
                       (policy["spec"]["podSelector"]["matchLabels"],
                        "NetworkPolicy podSelector")):
        for k, v in name.items():
            if labels.get(k) != v or pod["metadata"]["labels"].get(k) != v:
                fail(f"{what} {k}={v} does not select the pod")
    ports = {p["port"]: p["targetPort"] for p in service["spec"]["ports"]}
    if ports != {29788: "speaker", 29789: "microphone"}:
        fail(f"service.yaml: ports {ports}")
    (rule,) = policy["spec"]["ingress"]
    if sorted(p["port"] for p in rule["ports"]) != [29788, 29789]:
        fail("networkpolicy.yaml: the admitted ports are not 29788, 29789")
    if policy["spec"]["policyTypes"] != ["Ingress"] or not rule["from"]:
        fail("networkpolicy.yaml: not an ingress policy with a source")
    keys = set(secret.get("stringData", {})) | set(secret.get("data", {}))
    spec = pod["spec"]
    for c in spec["containers"]:
        sc = c["securityContext"]
        if not (sc["runAsNonRoot"] and sc["runAsUser"] > 0
                and sc["readOnlyRootFilesystem"]
                and sc["allowPrivilegeEscalation"] is False
                and sc["capabilities"]["drop"] == ["ALL"]):
            fail(f"container {c['name']}: security context {sc}")
        if not ("requests" in c["resources"] and "limits" in c["resources"]):
            fail(f"container {c['name']}: no requests and limits")
        for e in c.get("env", []):
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref and (ref["name"] != secret["metadata"]["name"]
                        or ref["key"] not in keys):
                fail(f"{e['name']}: secret {ref} not in secret.example.yaml")
    (sidecar,) = [c for c in spec["containers"] if c["name"] == "wsaudio"]
    names = {e["name"] for e in sidecar["env"]}
    if not {"PULSEAUDIO_COOKIE", "WSAUDIO_TOKEN"} <= names:
        fail("the sidecar does not take PULSEAUDIO_COOKIE and WSAUDIO_TOKEN")
    for probe in ("readinessProbe", "livenessProbe"):
        if probe not in sidecar:
            fail(f"the sidecar has no {probe}")


def variant(src, out, name, image, secret, spk, mic, http, ptcp):
    (pod,) = load(src)
    pod["metadata"]["name"] = name
    spec = pod["spec"]
    spec["hostNetwork"] = True
    volumes = {}
    for v in spec["volumes"]:
        volumes[v["name"]] = f"{name}-{v['name']}"
        v["name"] = volumes[v["name"]]
    for c in spec["containers"]:
        c["image"] = image
        c.pop("ports", None)
        for m in c.get("volumeMounts", []):
            m["name"] = volumes[m["name"]]
        env = c.get("env", [])
        for e in env:
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                ref["name"] = secret
        if c["name"] == "wsaudio":
            overrides = {"CONTAINER_IP_ADDR": "127.0.0.1",
                         "WSAUDIO_SPEAKER_PORT": spk,
                         "WSAUDIO_MICROPHONE_PORT": mic,
                         "WSAUDIO_HTTP_PORT": http,
                         "WSAUDIO_PULSE_TCP_PORT": ptcp}
            env[:] = [e for e in env if e["name"] not in overrides]
            env += [{"name": k, "value": v} for k, v in overrides.items()]
    with open(out, "w") as f:
        yaml.safe_dump(pod, f, sort_keys=False)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        check(sys.argv[2])
    elif len(sys.argv) == 11 and sys.argv[1] == "variant":
        variant(*sys.argv[2:])
    else:
        sys.exit("usage: manifest.py check DIR | variant POD OUT NAME IMAGE "
                 "SECRET SPK MIC HTTP PTCP")
