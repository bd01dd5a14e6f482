using System.Text;
using Mesh.ControlPlane.Security;

namespace Mesh.Security.Tests.Infrastructure;

/// <summary>
/// The control plane of these tests: the real one with its CA, proxies authenticating with
/// bootstrap tokens signed by <see cref="TestControlPlaneOptions.DefaultBootstrapKey"/>, and an
/// admin token.
/// </summary>
internal static class SecureMesh
{
    public static byte[] BootstrapKey => Encoding.UTF8.GetBytes(TestControlPlaneOptions.DefaultBootstrapKey);

    /// <param name="settings">Extra configuration (e.g. <c>ControlPlane:Ca:*</c>); a null value removes a default.</param>
    public static Task<TestControlPlane> StartControlPlaneAsync(IReadOnlyDictionary<string, string?>? settings = null) =>
        TestControlPlane.StartAsync(new TestControlPlaneOptions
        {
            BootstrapKey = TestControlPlaneOptions.DefaultBootstrapKey,
            Settings = settings ?? new Dictionary<string, string?>(),
        });

    /// <summary>A bootstrap token for one workload, as the Aspire hosting mints them.</summary>
    public static string Token(string serviceAccount, string? nodeId = null, string @namespace = "default") =>
        BootstrapToken.Mint(BootstrapKey, @namespace, serviceAccount, nodeId, DateTimeOffset.UtcNow);
}
