using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Mesh.Hosting.Tests.Capture;

/// <summary>
/// Listening sockets inside a network namespace, made by this test process: a socket belongs to
/// the namespace of the thread that creates it, so a fresh thread joins the namespace (setns),
/// creates the socket and ends; the socket keeps working from any thread.
/// </summary>
internal static class NamespaceSockets
{
    private const int CloneNewNet = 0x40000000;

    public static TcpListener Listen(string networkNamespace, IPEndPoint endpoint) => In(networkNamespace, () =>
    {
        var listener = new TcpListener(endpoint);
        listener.Start();
        return listener;
    });

    /// <summary>A TCP socket in the namespace (connect it from any thread).</summary>
    public static Socket Socket(string networkNamespace) =>
        In(networkNamespace, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));

    private static T In<T>(string networkNamespace, Func<T> create)
        where T : class
    {
        T? created = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{networkNamespace}");
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({networkNamespace}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                created = create();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        return created ?? throw new InvalidOperationException($"nothing created in {networkNamespace}", failure);
    }

    // DllImport, not LibraryImport: ints only, and the test project does not allow unsafe code.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nstype);
#pragma warning restore SYSLIB1054
}
