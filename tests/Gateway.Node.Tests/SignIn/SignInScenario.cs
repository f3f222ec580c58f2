using Gateway.Node.Tests.EndToEnd;
using Gateway.Testing;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// What every sign-in end-to-end class starts: an upstream that echoes the request head it
/// received (so a page shows what the upstream saw), and real nodes with sign-in through the test
/// provider (<see cref="SignInGateway"/>), with the routes the class gives.
/// </summary>
public abstract class SignInScenario : IAsyncLifetime
{
    protected TempDirectory Dir { get; } = new();
    protected HeaderEchoUpstream Upstream { get; private set; } = null!;
    protected SignInGateway Gateway { get; private set; } = null!;

    /// <summary>The <c>routes</c> (HOCON) over the upstream's URL.</summary>
    protected abstract string Routes(string upstreamUrl);

    protected virtual int NodeCount => 1;

    /// <summary>More root keys (e.g. <c>cookie_expire</c>).</summary>
    protected virtual string Extra => "";

    protected virtual bool InsecureServer => false;

    public async Task InitializeAsync()
    {
        Upstream = HeaderEchoUpstream.Start();
        Gateway = await SignInGateway.StartAsync(Dir, Routes(Upstream.Url), NodeCount, Extra, InsecureServer);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        Dir.Dispose();
    }
}
