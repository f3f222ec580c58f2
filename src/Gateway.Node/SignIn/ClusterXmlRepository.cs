using System.Xml.Linq;
using Gateway.Actors.SignIn;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Gateway.Node.SignIn;

/// <summary>
/// The Data Protection key ring kept in the cluster's sign-in store, so every node protects and
/// unprotects cookies with the same keys and the ring survives the loss of any node. The elements
/// arrive here already encrypted by <see cref="KeyRingXmlEncryptor"/>.
/// </summary>
public sealed class ClusterXmlRepository(ISignInStore store) : IXmlRepository
{
    /// <summary>How long storing a new key may wait for the store (a majority, or its own bound).</summary>
    private static readonly TimeSpan StoreBound = TimeSpan.FromSeconds(15);

    public IReadOnlyCollection<XElement> GetAllElements()
        => store.DataProtectionKeys.Values.Select(xml => XElement.Parse(xml)).ToList();

    /// <summary>
    /// Waits (bounded) for a majority of nodes to hold the new key before the key manager uses it,
    /// so a cookie protected with it can be read on the other nodes at once. Called only when a key
    /// is created (at first start, then about every 90 days).
    /// </summary>
    public void StoreElement(XElement element, string friendlyName)
    {
        using var bound = new CancellationTokenSource(StoreBound);
        store.SaveDataProtectionKeyAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting), bound.Token)
            .GetAwaiter().GetResult();
    }
}
