using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Mesh.Integration.Tests.Infrastructure;

/// <summary>
/// The last log lines (Information and above) of every in-process control plane and proxy, with
/// the time they were written, so a test that fails after the fact (a burst of failed calls) can
/// print what the proxies said around it. Kept in memory and capped; never written to a console.
/// </summary>
public sealed class RecentLog : ILoggerProvider
{
    private const int Capacity = 4000;
    private static readonly ConcurrentQueue<(long Ticks, string Line)> Lines = new();

    private readonly string _source;

    public RecentLog(string source) => _source = source;

    /// <summary>Lines written between <paramref name="from"/> and <paramref name="to"/> (<see cref="Stopwatch.GetTimestamp"/> values).</summary>
    public static IReadOnlyList<string> Between(long from, long to) =>
        [.. Lines.Where(l => l.Ticks >= from && l.Ticks <= to).Select(l => l.Line)];

    public ILogger CreateLogger(string categoryName) => new Logger(_source, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(string source, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {source} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]")}";
            Lines.Enqueue((Stopwatch.GetTimestamp(), line));
            while (Lines.Count > Capacity && Lines.TryDequeue(out _))
            {
            }
        }
    }
}
