using System.Collections.Concurrent;
using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Hosting.Tests.Infrastructure;

/// <summary>Runs an app model's <c>publish-kubernetes</c> step the way the command line does, capturing the log.</summary>
internal static class Publisher
{
    public static string[] Args(string outputPath, params string[] extra) =>
        ["--operation", "publish", "--step", "publish-kubernetes", "--output-path", outputPath, .. extra];

    /// <summary>Publishes and returns every log line (with exceptions); a failed step is logged by the pipeline, not thrown.</summary>
    public static async Task<string> PublishAsync(IDistributedApplicationBuilder builder)
    {
        var capture = new CapturingLoggerProvider();
        builder.Services.AddSingleton<ILoggerProvider>(capture);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var app = builder.Build();
        await app.RunAsync(timeout.Token);
        return string.Join("\n", capture.Lines);
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(Lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
    }
}
