using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Discovery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mesh.ControlPlane.Tests.Infrastructure;

/// <summary>
/// The control plane most of these tests run: the real one, but building snapshots with the
/// deterministic <see cref="TestSnapshotBuilder"/> (or a builder the test passes), so the push
/// machinery is tested apart from routing rules. Plain <see cref="TestControlPlaneOptions"/> run
/// the production builder.
/// </summary>
internal static class StandIn
{
    public static TestControlPlaneOptions Options(IProxySnapshotBuilder? builder = null)
    {
        builder ??= new TestSnapshotBuilder();
        return new TestControlPlaneOptions { ConfigureServices = services => services.Replace(ServiceDescriptor.Singleton(builder)) };
    }

    /// <summary>A proxy's side of the discovery stream (not connected yet) for node <paramref name="id"/>.</summary>
    public static TestProxy Proxy(this TestControlPlane controlPlane, string id, Action<Node>? customize = null) =>
        new(controlPlane.Discovery, TestProxy.NodeFor(id, customize));
}
