using System.Collections;
using System.Reflection;
using Akka.Actor;
using Xunit;

namespace Gateway.Contracts.Tests;

/// <summary>
/// Compares messages property by property, collections element by element (record equality
/// compares an ImmutableArray by reference, which a round trip never preserves).
/// </summary>
internal static class StructuralAssert
{
    public static void Equal(object? expected, object? actual, string path = "message")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }
        Assert.True(expected.GetType() == actual.GetType(), $"{path}: expected a {expected.GetType().Name}, got a {actual.GetType().Name}");
        if (expected is IActorRef)
        {
            Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
            return;
        }
        if (expected is IEnumerable items and not string)
        {
            var left = items.Cast<object?>().ToList();
            var right = ((IEnumerable)actual).Cast<object?>().ToList();
            Assert.True(left.Count == right.Count, $"{path}: expected {left.Count} items, got {right.Count}");
            for (var i = 0; i < left.Count; i++) Equal(left[i], right[i], $"{path}[{i}]");
            return;
        }
        if (expected is string or ValueType)
        {
            Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
            // DateTimeOffset equality ignores the offset; the wire must keep it.
            if (expected is DateTimeOffset time) Assert.True(time.Offset == ((DateTimeOffset)actual).Offset, $"{path}: offset {time.Offset} became {((DateTimeOffset)actual).Offset}");
            return;
        }
        foreach (var property in Properties(expected.GetType()))
            Equal(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
    }

    /// <summary>Fails when a property of the sample is null or its type's default: it would not test that field.</summary>
    public static void FullyPopulated(object message)
    {
        foreach (var property in Properties(message.GetType()))
        {
            var value = property.GetValue(message);
            Assert.True(value is not null, $"{message.GetType().Name}.{property.Name} is null in the sample");
            if (property.PropertyType.IsValueType)
                Assert.False(value!.Equals(Activator.CreateInstance(property.PropertyType)), $"{message.GetType().Name}.{property.Name} is its default in the sample");
        }
    }

    private static IEnumerable<PropertyInfo> Properties(Type type)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract");
}
