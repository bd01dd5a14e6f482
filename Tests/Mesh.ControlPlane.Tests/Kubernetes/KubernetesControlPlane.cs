using Mesh.ControlPlane.Configuration;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>
/// A real control plane in Kubernetes mode (the production composition) whose API server is a
/// <see cref="FakeKubernetesApiServer"/>; its Kubernetes settings come in as command-line
/// arguments, exactly as environment variables reach it on a cluster.
/// </summary>
internal static class KubernetesControlPlane
{
    public static Task<TestControlPlane> StartAsync(FakeKubernetesApiServer api, params string[] extra) =>
        TestControlPlane.StartAsync(new TestControlPlaneOptions
        {
            Arguments =
            [
                "--ControlPlane:Mode=Kubernetes",
                $"--ControlPlane:Kubernetes:ApiServer={api.Address}",
                "--ControlPlane:Kubernetes:Namespace=istio-system",
                "--ControlPlane:Kubernetes:Debounce=00:00:00.020",
                "--ControlPlane:Kubernetes:RetryDelay=00:00:00.050",
                .. extra,
            ],

            // Configuration comes from the API server, not from a directory.
            Settings = new Dictionary<string, string?> { ["ControlPlane:ConfigDirectory"] = null },
        });

    public static ConfigStore Store(this TestControlPlane controlPlane) => controlPlane.Service<ConfigStore>();
}
