package cimtrain.data;

/** A training set and the test set it is evaluated on. */
public record DataSplit(Dataset train, Dataset test) {
}
