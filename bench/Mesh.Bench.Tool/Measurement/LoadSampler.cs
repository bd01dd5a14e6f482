namespace Mesh.Bench.Tool.Measurement;

/// <summary>Samples the machine's load average through the run, to say how busy it was.</summary>
public sealed class LoadSampler : IAsyncDisposable
{
    private readonly List<double> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoadSampler()
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                lock (_samples)
                {
                    _samples.Add(MachineInfo.LoadAverage());
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(15), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public (double Min, double Median, double Max) Summary()
    {
        lock (_samples)
        {
            return _samples.Count == 0 ? (0, 0, 0) : (_samples.Min(), Stats.Median(_samples), _samples.Max());
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
