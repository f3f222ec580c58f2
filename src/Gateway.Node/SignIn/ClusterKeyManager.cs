using System.Xml.Linq;
using Gateway.Actors.SignIn;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;

namespace Gateway.Node.SignIn;

/// <summary>
/// Data Protection's key manager (<see cref="XmlKeyManager"/> over the cluster's repository), with
/// one addition: the key ring it hands out expires as soon as a key arrives from another node.
/// </summary>
/// <remarks>
/// ASP.NET Core caches the key ring for up to 24 hours and, except in the first two minutes after
/// start, refuses a payload whose key is not in the cached ring ("The key {id} was not found in the
/// key ring"). Two nodes starting together each find no key and each create one; without this,
/// the node that read the ring before the other's key arrived would refuse the other's cookies
/// until its next daily refresh. Here the store's change event cancels the ring's expiration token
/// (the key manager's public <see cref="IKeyManager.GetCacheExpirationToken"/>), and the ring is
/// then read again at once (<see cref="IKeyRingProvider"/>, which refreshes an expired ring in the
/// background), so a new key of any node is usable here within moments of reaching this node.
/// </remarks>
public sealed class ClusterKeyManager : IKeyManager, IDisposable
{
    private static readonly TimeSpan RefreshBound = TimeSpan.FromSeconds(5);

    private readonly IKeyManager _inner;
    private readonly ISignInStore _store;
    private readonly IServiceProvider _services;
    private readonly Lock _gate = new();
    private CancellationTokenSource _ringExpired = new();
    private HashSet<string> _knownKeys = [];

    public ClusterKeyManager(IKeyManager inner, ISignInStore store, IServiceProvider services)
    {
        _inner = inner;
        _store = store;
        _services = services;
        _knownKeys = [.. store.DataProtectionKeys.Keys];
        store.Changed += OnStoreChanged;
    }

    public IKey CreateNewKey(DateTimeOffset activationDate, DateTimeOffset expirationDate) => _inner.CreateNewKey(activationDate, expirationDate);

    public IReadOnlyCollection<IKey> GetAllKeys() => _inner.GetAllKeys();

    public CancellationToken GetCacheExpirationToken()
    {
        lock (_gate)
            return CancellationTokenSource.CreateLinkedTokenSource(_inner.GetCacheExpirationToken(), _ringExpired.Token).Token;
    }

    public void RevokeKey(Guid keyId, string? reason = null) => _inner.RevokeKey(keyId, reason);

    public void RevokeAllKeys(DateTimeOffset revocationDate, string? reason = null) => _inner.RevokeAllKeys(revocationDate, reason);

    public void Dispose() => _store.Changed -= OnStoreChanged;

    private void OnStoreChanged()
    {
        var keys = _store.DataProtectionKeys;
        CancellationTokenSource expired;
        lock (_gate)
        {
            if (keys.Keys.All(_knownKeys.Contains)) return;
            _knownKeys = [.. keys.Keys];
            expired = _ringExpired;
            _ringExpired = new CancellationTokenSource();
        }
        expired.Cancel();
        var ids = keys.Values.Select(KeyId).OfType<Guid>().ToList();
        _ = Task.Run(() => RefreshRing(ids));
    }

    /// <summary>
    /// Reads the ring until it holds every key the store had (bounded): the first read after the
    /// expiry starts a refresh and may still return the old ring; a later one returns the new.
    /// </summary>
    private async Task RefreshRing(IReadOnlyList<Guid> ids)
    {
        if (_services.GetService<IKeyRingProvider>() is not { } provider) return;
        var until = DateTime.UtcNow + RefreshBound;
        while (DateTime.UtcNow < until)
        {
            try
            {
                var ring = provider.GetCurrentKeyRing();
                if (ids.All(id => ring.GetAuthenticatedEncryptorByKeyId(id, out _) is not null)) return;
            }
            catch (Exception)
            {
                // A ring that cannot be read now is read again by the next request.
                return;
            }
            await Task.Delay(20);
        }
    }

    private static Guid? KeyId(string xml)
    {
        try
        {
            return Guid.TryParse((string?)XElement.Parse(xml).Attribute("id"), out var id) ? id : null;
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }
}
