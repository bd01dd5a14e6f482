using System.Net;
using DotNet.Testcontainers.Containers;
using k8s.Models;
using Mesh.Hosting.Tests.Pods;

namespace Mesh.Containers.Tests.Pods;

/// <summary>A published pod running on Docker: its app container (which owns the pod's network namespace) and, for a meshed workload, its sidecar.</summary>
internal sealed class DockerPod(PublishedPod published, IContainer app, IContainer? sidecar, IPAddress address, IReadOnlyList<IContainer> initContainers)
{
    public PublishedPod Published { get; } = published;

    public string Name => Published.PodName;

    public IContainer App { get; } = app;

    public IContainer? Sidecar { get; } = sidecar;

    /// <summary>The init containers that ran to completion before the sidecar (the capture init container), exited.</summary>
    public IReadOnlyList<IContainer> InitContainers { get; } = initContainers;

    /// <summary>The pod IP (the app container's address on the test's network; the sidecar shares it).</summary>
    public IPAddress Address { get; } = address;

    public V1Container AppSpec => Published.Deployment.Spec.Template.Spec.Containers.Single();

    public V1Container? SidecarSpec => Sidecar is null ? null : Published.Sidecar;

    public IEnumerable<(string Name, IContainer Container)> Containers =>
        InitContainers.Select((c, i) => ($"{Name}/init-{i}", c)).Append((Name, App)).Concat(Sidecar is null ? [] : [(Name + "/sidecar", Sidecar)]);

    public Uri Url(int port, string path) => new($"http://{Address}:{port}{path}");
}
