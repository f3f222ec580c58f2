using Gateway.Actors.SignIn;

namespace Gateway.Node.SignIn;

/// <summary>
/// Puts this node's assertion key into the cluster's store at start, and serves the JWKS document:
/// every node's key, so an upstream that fetched the document through one node can verify an
/// assertion made by another. Registered only with sign-in configured.
/// </summary>
public sealed class AssertionKeyPublisher : BackgroundService
{
    private readonly AssertionSigner _signer;
    private readonly ISignInStore _store;
    private readonly ILogger<AssertionKeyPublisher> _logger;

    public AssertionKeyPublisher(AssertionSigner signer, ISignInStore store, ILogger<AssertionKeyPublisher> logger)
    {
        _signer = signer;
        _store = store;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The store's writes wait for a majority; at start the cluster may still be forming, so retry.
        for (var attempt = 0; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await _store.PublishAssertionKeyAsync(_signer.KeyId, _signer.PublicJwk, stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (attempt == 0)
                    _logger.LogWarning("sign-in: publishing this node's assertion key failed, retrying: {Error}", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    public IResult JwksDocument()
    {
        var keys = _store.AssertionKeys.Values.ToList();
        if (!_store.AssertionKeys.ContainsKey(_signer.KeyId))
            keys.Add(_signer.PublicJwk);
        var json = "{\"keys\":[" + string.Join(",", keys) + "]}";
        return Results.Text(json, "application/json");
    }
}
