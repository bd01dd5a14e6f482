namespace Mesh.Hosting.Tests.Infrastructure;

/// <summary>
/// Bookinfo published once per test class through the real pipeline step, with Istio's Bookinfo
/// gateway, destination rules, v1 routes and per-version Services plus a mesh-wide STRICT PeerAuthentication as its
/// config directory, into a temporary output folder.
/// </summary>
public sealed class BookinfoPublishFixture : IAsyncLifetime
{
    public static readonly string[] Settings =
    [
        "--Mesh:Kubernetes:Registry=registry.example.com/mesh",
        "--Mesh:Kubernetes:Tag=1.0.0",
        "--Mesh:Kubernetes:Namespace=bookinfo",
        "--Mesh:Kubernetes:Workloads:productpage:Replicas=2",
        "--Mesh:Kubernetes:ControlPlaneReplicas=2",
    ];

    public const string MeshWidePeerAuthentication = """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: default
          namespace: istio-system
        spec:
          mtls:
            mode: STRICT
        """;

    private readonly TemporaryDirectory _root = new();

    public string ConfigDirectory => _root.Combine("mesh-config");

    public string Output => _root.Combine("deploy");

    /// <summary>Relative path (with '/') → content of every published file.</summary>
    public IReadOnlyDictionary<string, string> Files { get; private set; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        CreateConfigDirectory(ConfigDirectory);
        await Publisher.PublishAsync(BookinfoAppModel.Create(ConfigDirectory, Publisher.Args(Output, Settings)));
        Files = ReadTree(Output);
    }

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }

    public static void CreateConfigDirectory(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var sample in new[] { "bookinfo-gateway.yaml", "destination-rule-all.yaml", "virtual-service-all-v1.yaml" })
        {
            File.Copy(Path.Combine(RepositoryPaths.BookinfoSamples, sample), Path.Combine(directory, sample));
        }

        // Istio's Gateway API ingress (Gateway and HTTPRoute): the Gateway gets a proxy of its own.
        File.Copy(Path.Combine(RepositoryPaths.Root, "samples", "bookinfo", "gateway-api", "bookinfo-gateway.yaml"), Path.Combine(directory, "gateway-api-bookinfo-gateway.yaml"));

        // Istio's per-version Services, as the repository's mesh-config has them.
        File.Copy(Path.Combine(RepositoryPaths.Root, "samples", "bookinfo", "platform", "kube", "bookinfo-versions.yaml"), Path.Combine(directory, "bookinfo-versions.yaml"));
        Directory.CreateDirectory(Path.Combine(directory, "security"));
        File.WriteAllText(Path.Combine(directory, "security", "peer-authentication.yaml"), MeshWidePeerAuthentication);
    }

    public static Dictionary<string, string> ReadTree(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f).Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllText, StringComparer.Ordinal);
}
