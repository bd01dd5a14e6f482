using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Console;

public enum ProxyAnswer
{
    Ack,
    Nack,
    None,
}

/// <summary>
/// A proxy that answers every snapshot it gets the same way, in the background (more snapshots
/// come as other proxies join, and a test must not depend on how many).
/// </summary>
internal static class AnsweringProxy
{
    public const string NackError = "route reviews: unknown cluster";

    public static async Task<TestProxy> ConnectAsync(TestControlPlane controlPlane, string id, ProxyAnswer answer, Action<Contracts.Snapshots.Node>? customize = null, Action? answered = null)
    {
        var proxy = await controlPlane.Proxy(id, customize).ConnectAsync();
        _ = Task.Run(async () =>
        {
            try
            {
                while (await proxy.Call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    var version = proxy.Call.ResponseStream.Current.Version;
                    var reply = answer switch
                    {
                        ProxyAnswer.Ack => proxy.AckAsync(version),
                        ProxyAnswer.Nack => proxy.NackAsync(version, NackError),
                        _ => Task.CompletedTask,
                    };
                    await reply;
                    answered?.Invoke();
                }
            }
            catch (Exception)
            {
                // The stream ends with the test.
            }
        });
        return proxy;
    }
}
