#!/usr/bin/env bash
# Builds the project's Docker images from this checkout (names and tag: scripts/images.env):
#   parameter server (Dockerfile.server), worker and EnvSim (Dockerfile.worker, targets "worker" and "envsim").
# 1. `dotnet publish` each service, self-contained for linux-x64, into artifacts/images/<service>/, split in two
#    folders so the images cache them as two layers: deps/ (the .NET runtime, packages, LibTorch: changes rarely)
#    and app/ (the project's own assemblies: changes with every commit).
# 2. `docker build` each image on BASE_IMAGE (scripts/docker.sh: $A3C_BASE_IMAGE, or the local Debian 13 base,
#    made first when missing).
# Starts dockerd when none answers. Writes what each step took and each image's size to artifacts/images/report.json
# (the image sizes in the README, "Containers and Kubernetes", come from such reports). Usage: scripts/build-images.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/docker.sh
source scripts/docker.sh

configuration="${A3C_CONFIGURATION:-Release}"
out=artifacts/images

# LibTorch's files that no service loads (Python bindings, test and mobile back-ends): 40 MB the images leave out.
unused_native='libtorch_python.so|libshm.so|libjitbackend_test.so|libtorchbind_test.so|libbackend_with_compiler.so|libnnapi_backend.so|libaoti_custom_ops.so'

publish() { # publish <project> <service folder>
  # Left out too: XML documentation files (for IDEs, not for running). Each service carries only the natives of the
  # libraries it references (docs/architecture.md): EnvSim no LibTorch, the worker no Bullet shim.
  local project="$1" target="$out/$2" drop="$unused_native|.*\.xml"
  echo "==> dotnet publish $project (linux-x64, self-contained)"
  rm -rf "$target"
  dotnet publish "$project" -c "$configuration" -r linux-x64 --self-contained -nologo -v:quiet -clp:NoSummary -o "$target/publish"
  mkdir -p "$target/deps" "$target/app"
  local file name
  for file in "$target"/publish/*; do
    name="$(basename "$file")"
    if [[ "$name" =~ ^($drop)$ ]]; then
      continue
    elif [[ "$name" == A3cGrpc.* || "$name" == appsettings*.json || "$name" == liba3c_bullet.so ]]; then
      mv "$file" "$target/app/"
    else
      mv "$file" "$target/deps/"
    fi
  done
  rm -rf "$target/publish"
}

steps=()
timed() { # timed <step name> <command...>: runs the command, records its seconds
  local start=$SECONDS
  "${@:2}"
  steps+=("\"$1\": $((SECONDS - start))")
}

timed docker_ready a3c_docker_ready
start=$SECONDS
base="$(a3c_base_image)"
steps+=("\"base_image\": $((SECONDS - start))")

timed publish_server publish src/ParameterServer/ParameterServer.csproj parameter-server
timed publish_worker publish src/WorkerService/WorkerService.csproj worker
timed publish_envsim publish src/EnvSim/EnvSim.csproj envsim

tag="$A3C_IMAGE_TAG"
build() { # build <image> <dockerfile> [target]
  echo "==> docker build $1:$tag (base $base)"
  # Quiet unless it fails (a newer client also warns that the classic builder is deprecated: the files keep to it).
  local errors
  errors="$(mktemp)"
  if ! docker build -q -f "$2" ${3:+--target "$3"} --build-arg "BASE_IMAGE=$base" -t "$1:$tag" . >/dev/null 2>"$errors"; then
    cat "$errors" >&2
    rm -f "$errors"
    return 1
  fi
  rm -f "$errors"
}
timed build_server build "$A3C_IMAGE_SERVER" Dockerfile.server
timed build_worker build "$A3C_IMAGE_WORKER" Dockerfile.worker worker
timed build_envsim build "$A3C_IMAGE_ENVSIM" Dockerfile.worker envsim

sizes=()
for image in "$A3C_IMAGE_SERVER" "$A3C_IMAGE_WORKER" "$A3C_IMAGE_ENVSIM"; do
  bytes="$(docker image inspect -f '{{.Size}}' "$image:$tag")"
  echo "    $image:$tag  $((bytes / 1000000)) MB"
  sizes+=("\"$image:$tag\": $bytes")
done
join() { local IFS=,; echo "$*"; }
printf '{"base_image": "%s", "seconds": {%s}, "image_bytes": {%s}}\n' "$base" "$(join "${steps[@]}")" "$(join "${sizes[@]}")" >"$out/report.json"
echo "==> Images built (report: $out/report.json)"
