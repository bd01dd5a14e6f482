using System.Net;
using DotNet.Testcontainers.Containers;
using k8s.Models;
using Mesh.Hosting.Tests.Pods;

namespace Mesh.Containers.Tests.Pods;

/// <summary>A published pod running on Docker: its app container (which owns the pod's network namespace) and, for a meshed workload, its sidecar.</summary>
internal sealed class DockerPod(PublishedPod published, IContainer app, IContainer? sidecar, IPAddress address)
{
    public PublishedPod Published { get; } = published;

    public string Name => Published.PodName;

    public IContainer App { get; } = app;

    public IContainer? Sidecar { get; } = sidecar;

    /// <summary>The pod IP (the app container's address on the test's network; the sidecar shares it).</summary>
    public IPAddress Address { get; } = address;

    public V1Container AppSpec => Published.Deployment.Spec.Template.Spec.Containers.Single();

    public V1Container? SidecarSpec => Published.Deployment.Spec.Template.Spec.InitContainers?.SingleOrDefault();

    public IEnumerable<(string Name, IContainer Container)> Containers =>
        Sidecar is null ? [(Name, App)] : [(Name, App), (Name + "/sidecar", Sidecar)];

    public Uri Url(int port, string path) => new($"http://{Address}:{port}{path}");
}
