using Gateway.Node.Tests.Http.Support;
using Gateway.Testing;

namespace Gateway.Node.Tests.EndToEnd;

/// <summary>
/// One route served through <c>ssh -N -R 0</c> by a real Kestrel upstream (the HTTP-side test
/// server: it echoes what it saw, serves /ws as a WebSocket echo). Started and stopped per class.
/// </summary>
public abstract class UpstreamBehindTunnel : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly string _upstreamName;

    protected UpstreamBehindTunnel(string host, string upstreamName)
    {
        Host = host;
        _upstreamName = upstreamName;
    }

    protected string Host { get; }
    protected UpstreamServer Upstream { get; private set; } = null!;
    protected TunnelScenario Scenario { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await UpstreamServer.StartAsync(_upstreamName);
        Scenario = await TunnelScenario.StartAsync(_dir, new ScenarioRoute(Host, $"http://127.0.0.1:{Upstream.EndPoint.Port}"));
    }

    public async Task DisposeAsync()
    {
        await Scenario.DisposeAsync();
        await Upstream.DisposeAsync();
        _dir.Dispose();
    }
}
