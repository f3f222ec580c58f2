namespace Gateway.Node.Drain;

/// <summary>
/// Runs the drain when the host begins to stop (SIGTERM). <see cref="StoppingAsync"/> runs before
/// any hosted service's StopAsync, so Kestrel still serves (and finishes) requests meanwhile; then
/// Kestrel stops, then Akka.Hosting runs coordinated shutdown (leaving the cluster), and only then
/// (StoppedAsync) do the listeners close the SSH connections (<see cref="Hosting.SshListener"/>).
/// </summary>
public sealed class DrainOnStop : IHostedLifecycleService
{
    private readonly NodeDrain _drain;

    public DrainOnStop(NodeDrain drain) => _drain = drain;

    public Task StoppingAsync(CancellationToken cancellationToken) => _drain.DrainAsync(cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
