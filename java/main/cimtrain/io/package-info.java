/**
 * The HDF5 file layer: {@link cimtrain.io.Hdf5Writer} (atomic writes of a tree of groups, datasets
 * and attributes), {@link cimtrain.io.Hdf5Reader} (checked reads, one-line user errors) and
 * {@link cimtrain.io.KerasWeights} / {@link cimtrain.io.KerasKernels} (import of Keras h5 weights).
 * All of it runs on jhdf (pure Java).
 *
 * <p>Conventions of the files written here:
 * <ul>
 *   <li>Arrays are datasets of their true shape, row-major (C order): a {@code out x in} weight is a
 *       2-D dataset of shape {@code (out, in)}, as h5py and numpy see it. Types: float32, float64,
 *       int32, int64, little-endian, contiguous, uncompressed.</li>
 *   <li>Single numbers are rank-0 (scalar) datasets, or attributes when they describe a group.</li>
 *   <li>Text (YAML, JSON) is a scalar UTF-8 string dataset, of any length.</li>
 *   <li>Attributes hold small metadata only (each at most {@link cimtrain.io.Hdf5Node#MAX_ATTRIBUTE_BYTES}):
 *       strings, string lists, int64 and float64 numbers and 1-D lists of them.</li>
 *   <li>HDF5 does not keep the order of a group's children; where order matters, a string-list
 *       attribute names the children in order.</li>
 *   <li>Empty arrays cannot be written (jhdf 0.13.0); leave the dataset out instead.</li>
 * </ul>
 */
package cimtrain.io;
