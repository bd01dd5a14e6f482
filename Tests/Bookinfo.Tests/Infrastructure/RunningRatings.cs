using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bookinfo.Tests.Infrastructure;

/// <summary>The real ratings app with its two named Kestrel endpoints.</summary>
public sealed record RunningRatings(WebApplication App, Uri HttpUrl, Uri GrpcUrl, HttpProtocols GrpcProtocols) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
